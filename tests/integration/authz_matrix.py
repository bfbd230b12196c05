#!/usr/bin/env python3
"""Authorization matrix driver (run by api_authz_matrix.sh).

Calls every route of the API as every role (platform-admin, tenant-admin,
security-analyst, device-manager, operator, tenant auditor, platform
auditor), against its own tenant ("alpha") and another one ("beta"),
with a fresh token (password proven just now) and a stale one (never),
and without a token / with a bogus one; prints one ok/not ok line per
case and exits non-zero when any case fails.

The expected statuses are written out below as a table, derived by hand
from the rules of /v1 (docs/api/openapi.yaml): route → token (401) →
platform-only route for a tenant principal (404) → {tenant} not the
caller's (404) → permission (403) → privileged route with a stale
authentication (403 reauthentication-required, written "403r") → the
handler. Each request is a probe whose handler outcome is known and
harmless (a 422 for an invalid body, 428 for a missing If-Match, 409
for deleting a tenant that still has devices), except where the route's
whole point is a change: those get a victim object of their own per
case (tenant and platform principals and tokens to delete, tokens to
log out).

Tokens, principals and victims are made with mkadmin (the IAM library
directly), not through the API under test.

Usage: authz_matrix.py MKADMIN DATABASE PORT CA_FILE ROUTES_FILE
(ROUTES_FILE: the output of `vigild --routes`, "METHOD PATTERN" lines.)
"""
import http.client
import json
import ssl
import subprocess
import sys

ROLES = ["PA", "TA", "SA", "DM", "OP", "AU", "PAU"]

# method, path, anonymous (no token and a bogus token), own tenant,
# other tenant. Each of own/other lists the seven roles in ROLES order;
# "fresh / stale" when the two differ (privileged routes).
MATRIX = [
    ("GET", "/healthz", "200",
     "200 200 200 200 200 200 200",
     "200 200 200 200 200 200 200"),
    ("GET", "/readyz", "200",
     "200 200 200 200 200 200 200",
     "200 200 200 200 200 200 200"),
    ("GET", "/metrics", "200",
     "200 200 200 200 200 200 200",
     "200 200 200 200 200 200 200"),
    ("POST", "/v1/auth/login", "422",
     "422 422 422 422 422 422 422",
     "422 422 422 422 422 422 422"),
    ("POST", "/v1/auth/reauth", "401",
     "422 422 422 422 422 422 422",
     "422 422 422 422 422 422 422"),
    ("POST", "/v1/auth/logout", "401",
     "204 204 204 204 204 204 204",
     "204 204 204 204 204 204 204"),
    ("GET", "/v1/auth/whoami", "401",
     "200 200 200 200 200 200 200",
     "200 200 200 200 200 200 200"),
    ("POST", "/v1/auth/password", "401",
     "422 422 422 422 422 422 422",
     "422 422 422 422 422 422 422"),
    ("POST", "/v1/auth/totp", "401",
     "201 201 201 201 201 201 201",
     "201 201 201 201 201 201 201"),
    ("POST", "/v1/auth/totp/confirm", "401",
     "422 422 422 422 422 422 422",
     "422 422 422 422 422 422 422"),
    ("GET", "/v1/tenants", "401",
     "200 200 200 200 200 200 200",
     "200 200 200 200 200 200 200"),
    ("POST", "/v1/tenants", "401",
     "422 404 404 404 404 404 403",
     "422 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("PATCH", "/v1/tenants/{tenant}", "401",
     "422 404 404 404 404 404 403",
     "422 404 404 404 404 404 403"),
    ("DELETE", "/v1/tenants/{tenant}", "401",
     "409 404 404 404 404 404 403 / 403r 404 404 404 404 404 403",
     "409 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/devices", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/tenants/{tenant}/devices", "401",
     "422 422 403 422 403 403 403",
     "422 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/devices/import", "401",
     "415 415 403 415 403 403 403",
     "415 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/devices/export", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/devices/{device}", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("PATCH", "/v1/tenants/{tenant}/devices/{device}", "401",
     "428 428 403 428 403 403 403",
     "428 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/devices/{device}/state", "401",
     "428 428 428 428 403 403 403",
     "428 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/devices/{device}/history", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/summary", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/principals", "401",
     "200 200 403 403 403 200 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/tenants/{tenant}/principals", "401",
     "422 422 403 403 403 403 403 / 403r 403r 403 403 403 403 403",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/principals/{principal}", "401",
     "200 200 403 403 403 200 200",
     "200 404 404 404 404 404 200"),
    ("PATCH", "/v1/tenants/{tenant}/principals/{principal}", "401",
     "422 422 403 403 403 403 403 / 403r 403r 403 403 403 403 403",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("DELETE", "/v1/tenants/{tenant}/principals/{principal}", "401",
     "204 204 403 403 403 403 403 / 403r 403r 403 403 403 403 403",
     "204 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/principals/{principal}/password", "401",
     "422 422 403 403 403 403 403 / 403r 403r 403 403 403 403 403",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/principals/{principal}/tokens", "401",
     "422 422 403 403 403 403 403 / 403r 403r 403 403 403 403 403",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/tokens", "401",
     "200 200 403 403 403 200 200",
     "200 404 404 404 404 404 200"),
    ("DELETE", "/v1/tenants/{tenant}/tokens/{token}", "401",
     "204 204 403 403 403 403 403",
     "204 404 404 404 404 404 403"),
    ("GET", "/v1/platform/principals", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/platform/principals", "401",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("GET", "/v1/platform/principals/{principal}", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("PATCH", "/v1/platform/principals/{principal}", "401",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("DELETE", "/v1/platform/principals/{principal}", "401",
     "204 404 404 404 404 404 403 / 403r 404 404 404 404 404 403",
     "204 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("POST", "/v1/platform/principals/{principal}/password", "401",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("POST", "/v1/platform/principals/{principal}/tokens", "401",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403",
     "422 404 404 404 404 404 403 / 403r 404 404 404 404 404 403"),
    ("GET", "/v1/platform/tokens", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("DELETE", "/v1/platform/tokens/{token}", "401",
     "204 404 404 404 404 404 403",
     "204 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/audit", "401",
     "200 200 200 403 403 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/audit", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    # Device PKI, operator side (pki:read / pki:manage).
    ("GET", "/v1/tenants/{tenant}/cas", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/cas/{ca}", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("PATCH", "/v1/tenants/{tenant}/cas/{ca}", "401",
     "422 422 403 422 403 403 403",
     "422 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/certs", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    # Issuance through the signer (api_pki_issue.c): the probes are
    # refused by the handler (422) before the signer is asked.
    ("POST", "/v1/tenants/{tenant}/certs", "401",
     "422 422 403 422 403 403 403",
     "422 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/devices/{device}/certs", "401",
     "422 422 403 422 403 403 403",
     "422 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/certs/{serial}", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("POST", "/v1/tenants/{tenant}/certs/{serial}/revoke", "401",
     "422 422 403 422 403 403 403",
     "422 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/certs/{serial}/hold", "401",
     "404 404 403 404 403 403 403",
     "404 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/certs/{serial}/release", "401",
     "404 404 403 404 403 403 403",
     "404 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/certs-audit", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/certs-renewal", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/tenants/{tenant}/enrollment-tokens", "401",
     "422 422 403 422 403 403 403",
     "422 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/enrollment-tokens", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("DELETE", "/v1/tenants/{tenant}/enrollment-tokens/{id}", "401",
     "404 404 403 404 403 403 403",
     "404 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/enrollments", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/tenants/{tenant}/enrollments/{id}/approve", "401",
     "404 404 403 404 403 403 403",
     "404 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/enrollments/{id}/reject", "401",
     "404 404 403 404 403 403 403",
     "404 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/claims", "401",
     "422 422 403 422 403 403 403",
     "422 404 404 404 404 404 403"),
    # Vulnerability management: platform routes (vuln:read / vuln:manage;
    # a tenant principal gets 404) and the tenant's views.
    ("POST", "/v1/vuln/feeds", "401",
     "400 404 404 404 404 404 403",
     "400 404 404 404 404 404 403"),
    ("GET", "/v1/vuln/feeds", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/vuln/builds", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/vuln/builds", "401",
     "400 404 404 404 404 404 403",
     "400 404 404 404 404 404 403"),
    ("GET", "/v1/vuln/builds/{build}", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("DELETE", "/v1/vuln/builds/{build}", "401",
     "404 404 404 404 404 404 403",
     "404 404 404 404 404 404 403"),
    ("GET", "/v1/vuln/builds/{build}/sbom", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("GET", "/v1/vuln/builds/{build}/vex", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("POST", "/v1/vuln/vex", "401",
     "400 404 404 404 404 404 403",
     "400 404 404 404 404 404 403"),
    ("POST", "/v1/vuln/scan", "401",
     "200 404 404 404 404 404 403",
     "200 404 404 404 404 404 403"),
    ("GET", "/v1/vulns", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/vulns/{id}", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("GET", "/v1/vulns/{id}/affected", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("PUT", "/v1/vulns/{id}/exploited", "401",
     "422 404 404 404 404 404 403",
     "422 404 404 404 404 404 403"),
    ("GET", "/v1/products", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("PUT", "/v1/products/{model}", "401",
     "422 404 404 404 404 404 403",
     "422 404 404 404 404 404 403"),
    ("GET", "/v1/cra", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/cra", "401",
     "422 404 404 404 404 404 403",
     "422 404 404 404 404 404 403"),
    ("POST", "/v1/cra/{id}/{step}", "401",
     "404 404 404 404 404 404 403",
     "404 404 404 404 404 404 403"),
    ("GET", "/v1/cra/{id}/draft", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("GET", "/v1/tenants/{tenant}/vulns", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/vulns/{id}", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("GET", "/v1/tenants/{tenant}/vulns/{id}/affected", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("GET", "/v1/tenants/{tenant}/devices/{device}/findings", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("PUT", "/v1/tenants/{tenant}/devices/{device}/firmware", "401",
     "422 422 403 422 403 403 403",
     "422 404 404 404 404 404 403"),
    # Zero-trust access (policy:read / policy:manage; quarantine and
    # release are device:state, posture views device:read).
    ("GET", "/v1/tenants/{tenant}/policies", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/policies/{policy}", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("PUT", "/v1/tenants/{tenant}/policies/{policy}", "401",
     "422 422 422 403 403 403 403",
     "422 404 404 404 404 404 403"),
    ("DELETE", "/v1/tenants/{tenant}/policies/{policy}", "401",
     "404 404 404 403 403 403 403",
     "404 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/policies/{policy}/versions", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("POST", "/v1/tenants/{tenant}/policies/{policy}/rollback", "401",
     "422 422 422 403 403 403 403",
     "422 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/policies/{policy}/attachments", "401",
     "422 422 422 403 403 403 403",
     "422 404 404 404 404 404 403"),
    ("DELETE", "/v1/tenants/{tenant}/policies/{policy}/attachments", "401",
     "400 400 400 403 403 403 403",
     "400 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/policy-attachments", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/tenants/{tenant}/policy-decisions", "401",
     "400 400 400 400 400 400 400",
     "400 404 404 404 404 404 400"),
    ("POST", "/v1/tenants/{tenant}/policy-lint", "401",
     "400 400 400 400 400 400 400",
     "400 404 404 404 404 404 400"),
    ("POST", "/v1/tenants/{tenant}/devices/{device}/quarantine", "401",
     "422 422 422 422 403 403 403",
     "422 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/devices/{device}/release", "401",
     "422 422 422 422 403 403 403",
     "422 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/devices/{device}/posture", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/devices/{device}/checkins", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/baselines", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("PUT", "/v1/tenants/{tenant}/baselines/{model}", "401",
     "422 422 422 403 403 403 403",
     "422 404 404 404 404 404 403"),
    # Network monitoring (alert:read every role, alert:manage PA TA SA).
    # {id} is not an alert's id (a UUID): 404 once the checks pass.
    ("GET", "/v1/tenants/{tenant}/alerts", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/alerts/{id}", "401",
     "404 404 404 404 404 404 404",
     "404 404 404 404 404 404 404"),
    ("POST", "/v1/tenants/{tenant}/alerts/{id}/ack", "401",
     "404 404 404 403 403 403 403",
     "404 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/alerts/{id}/close", "401",
     "404 404 404 403 403 403 403",
     "404 404 404 404 404 404 403"),
    ("GET", "/v1/alerts", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/tenants/{tenant}/shadow", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/shadow", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
    ("POST", "/v1/tenants/{tenant}/shadow/{id}/adopt", "401",
     "404 404 404 403 403 403 403",
     "404 404 404 404 404 404 403"),
    ("POST", "/v1/tenants/{tenant}/shadow/{id}/dismiss", "401",
     "404 404 404 403 403 403 403",
     "404 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/net-bindings", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("PUT", "/v1/tenants/{tenant}/net-bindings", "401",
     "422 422 422 403 403 403 403",
     "422 404 404 404 404 404 403"),
    ("DELETE", "/v1/tenants/{tenant}/net-bindings", "401",
     "400 400 400 403 403 403 403",
     "400 404 404 404 404 404 403"),
    ("GET", "/v1/tenants/{tenant}/sessions", "401",
     "200 200 200 200 200 200 200",
     "200 404 404 404 404 404 200"),
    ("GET", "/v1/audit/verify", "401",
     "200 404 404 404 404 404 200",
     "200 404 404 404 404 404 200"),
]

# The probe each route gets: body (JSON text, or raw with a content
# type), and which object its path parameters name.
PROBE_BODY = {
    ("POST", "/v1/auth/login"): "{}",
    ("POST", "/v1/auth/reauth"): "{}",
    ("POST", "/v1/auth/password"): "{}",
    ("POST", "/v1/auth/totp/confirm"): "{}",
    ("POST", "/v1/tenants"): "{}",
    ("PATCH", "/v1/tenants/{tenant}"): "{}",
    ("POST", "/v1/tenants/{tenant}/devices"): '{"bogus": 1}',
    ("PATCH", "/v1/tenants/{tenant}/devices/{device}"): '{"model": "x"}',
    ("POST", "/v1/tenants/{tenant}/devices/{device}/state"):
        '{"state": "provisioned"}',
    ("POST", "/v1/tenants/{tenant}/principals"): "{}",
    ("PATCH", "/v1/tenants/{tenant}/principals/{principal}"): "{}",
    ("POST", "/v1/tenants/{tenant}/principals/{principal}/tokens"): "{}",
    ("POST", "/v1/platform/principals"): "{}",
    ("POST", "/v1/platform/principals/{principal}/tokens"): "{}",
    ("POST", "/v1/tenants/{tenant}/principals/{principal}/password"): "{}",
    ("PATCH", "/v1/platform/principals/{principal}"): "{}",
    ("POST", "/v1/platform/principals/{principal}/password"): "{}",
    ("PATCH", "/v1/tenants/{tenant}/cas/{ca}"): '{"validity_s": 1}',
    ("POST", "/v1/tenants/{tenant}/certs/{serial}/revoke"):
        '{"reason": "bogus"}',
    ("POST", "/v1/tenants/{tenant}/certs"): '{"profile": "bogus"}',
    ("POST", "/v1/tenants/{tenant}/devices/{device}/certs"):
        '{"validity": "1m", "csr": "x"}',
    ("POST", "/v1/tenants/{tenant}/enrollment-tokens"): "{}",
    ("POST", "/v1/tenants/{tenant}/claims"): "{}",
    ("PUT", "/v1/vulns/{id}/exploited"): "{}",
    ("PUT", "/v1/products/{model}"): '{"bogus": 1}',
    ("POST", "/v1/cra"): "{}",
    ("PUT", "/v1/tenants/{tenant}/devices/{device}/firmware"): "{}",
    ("PUT", "/v1/tenants/{tenant}/policies/{policy}"): '{"bogus": 1}',
    ("POST", "/v1/tenants/{tenant}/policies/{policy}/rollback"): "{}",
    ("POST", "/v1/tenants/{tenant}/policies/{policy}/attachments"): "{}",
    ("POST", "/v1/tenants/{tenant}/policy-decisions"): "{}",
    ("POST", "/v1/tenants/{tenant}/policy-lint"): '{"bogus": 1}',
    ("POST", "/v1/tenants/{tenant}/devices/{device}/quarantine"): "{}",
    ("POST", "/v1/tenants/{tenant}/devices/{device}/release"): "{}",
    ("PUT", "/v1/tenants/{tenant}/baselines/{model}"): '{"bogus": 1}',
    ("PUT", "/v1/tenants/{tenant}/net-bindings"): "{}",
}
RAW = {("POST", "/v1/tenants/{tenant}/devices/import"):
       ("text/plain", b"name\nx\n")}


class Client:
    """One keep-alive HTTPS connection, reopened when the server closes
    it."""

    def __init__(self, host, port, ca):
        self.host, self.port = host, port
        self.ctx = ssl.create_default_context(cafile=ca)
        self.conn = None

    def call(self, method, path, token=None, body=None, ctype=None):
        headers = {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        if body is not None:
            headers["Content-Type"] = ctype or "application/json"
            if isinstance(body, str):
                body = body.encode()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(
                    self.host, self.port, context=self.ctx, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, dict((k.lower(), v) for k, v in
                                      r.getheaders()), data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


npass = nfail = 0


def report(good, name, why=""):
    global npass, nfail
    if good:
        npass += 1
        print("ok - " + name)
    else:
        nfail += 1
        print("not ok - " + name)
        if why:
            print("#   " + why)


def problem_type(data):
    try:
        return json.loads(data).get("type", "")
    except (ValueError, AttributeError):
        return ""


def check(name, want, status, data):
    """want: "200", "403r" (403 of type reauthentication-required) ..."""
    code = int(want[:3])
    reauth = want.endswith("r")
    ptype = problem_type(data) if status >= 400 else ""
    good = status == code
    if good and status == 403:
        good = ptype.endswith("reauthentication-required") == reauth
    report(good, "%s -> %s" % (name, want),
           "got %d %s" % (status, data[:300].decode("utf-8", "replace")))


def expected(row_part, role, fresh):
    groups = [g.split() for g in row_part.split("/")]
    for g in groups:
        assert len(g) == len(ROLES), row_part
    return groups[0 if fresh or len(groups) == 1 else 1][ROLES.index(role)]


def fill(path, cfg, case):
    """Path parameters of one case: tenant name, the probe device, a
    principal (a victim for DELETE), a victim token id."""
    return (path.replace("{tenant}", case["tenant"])
            .replace("{device}", "probe")
            .replace("{token}", case.get("victim_token", "none"))
            .replace("{principal}", case.get("principal", "u-operator"))
            .replace("{ca}", "nosuch")
            .replace("{serial}", "00")
            .replace("{build}", "nosuch@0")
            .replace("{model}", "probe-model")
            .replace("{policy}", "nosuch")
            .replace("{step}", "close")
            .replace("{id}", "00000000-0000-0000-0000-000000000000"))


# Role column → (scope for mkadmin, principal name, role name).
PRINCIPALS = {
    "PA": ("-", "pa", "platform-admin"),
    "TA": ("alpha", "u-tenant-admin", "tenant-admin"),
    "SA": ("alpha", "u-security-analyst", "security-analyst"),
    "DM": ("alpha", "u-device-manager", "device-manager"),
    "OP": ("alpha", "u-operator", "operator"),
    "AU": ("alpha", "u-auditor", "auditor"),
    "PAU": ("-", "pau", "auditor"),
}
REAUTH_PASSWORD = "correct-horse-battery-staple"  # mkadmin batch: no spaces


def setup(mkadmin, db):
    """Runs one mkadmin batch; returns the config of every case."""
    cmds, keys = ["tenant alpha", "tenant beta"], [None, None]
    for role, (scope, name, rname) in PRINCIPALS.items():
        for fs in ("fresh", "stale"):
            cmds.append("token %s %s %s %s" % (scope, name, rname, fs))
            keys.append(("token", role, fs))
    cmds.append("token beta u-operator operator stale")
    keys.append(None)
    for role, (scope, name, rname) in PRINCIPALS.items():
        for tcase, tname in (("own", "alpha"), ("other", "beta")):
            for fs in ("fresh", "stale"):
                key = "%s-%s-%s" % (role, tcase, fs)
                victim = "v-%s-%s-%s" % (role.lower(), tcase, fs)
                cmds.append("token %s %s operator stale" % (tname, victim))
                keys.append(("victim_principal", key, victim))
                cmds.append("token %s vt operator stale" % tname)
                keys.append(("victim_token", key, None))
                pvictim = "pv-%s-%s-%s" % (role.lower(), tcase, fs)
                cmds.append("token - %s auditor stale" % pvictim)
                keys.append(("platform_victim_principal", key, pvictim))
                cmds.append("token - pvt auditor stale")
                keys.append(("platform_victim_token", key, None))
                cmds.append("token %s %s %s fresh" % (scope, name, rname))
                keys.append(("logout_token", key, None))
    cmds.append("token alpha u-reauth tenant-admin stale %s" %
                REAUTH_PASSWORD)
    keys.append(("reauth", None, None))
    out = subprocess.run([mkadmin, db, "batch"], input="\n".join(cmds),
                         capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert len(lines) == len(cmds), out
    cfg = {"tokens": {r: {} for r in PRINCIPALS}, "cases": {}}
    for key, line in zip(keys, lines):
        if key is None:
            continue
        secret, _, tid = line.partition(" ")
        kind, a, b = key
        if kind == "token":
            cfg["tokens"][a][b] = secret
        elif kind == "reauth":
            cfg["reauth"] = {"token": secret, "password": REAUTH_PASSWORD}
        else:
            case = cfg["cases"].setdefault(a, {})
            case[kind] = {"victim_principal": b, "victim_token": tid,
                          "platform_victim_principal": b,
                          "platform_victim_token": tid,
                          "logout_token": secret}[kind]
    return cfg


def main():
    # The table covers exactly the server's routes.
    routes = set(tuple(l.split(" ", 1)) for l in
                 open(sys.argv[5], encoding="utf-8").read().splitlines()
                 if l.strip())
    table = set((m, p) for m, p, *_ in MATRIX)
    report(routes == table, "the matrix has one row per route (%d)" %
           len(routes), "missing: %s; extra: %s" %
           (sorted(routes - table), sorted(table - routes)))
    cfg = setup(sys.argv[1], sys.argv[2])
    cl = Client("127.0.0.1", int(sys.argv[3]), sys.argv[4])
    pa = cfg["tokens"]["PA"]["fresh"]

    # Both tenants hold the probe device (and so cannot be deleted).
    for t in ("alpha", "beta"):
        st, _, data = cl.call("POST", "/v1/tenants/%s/devices" % t, pa,
                              '{"name": "probe"}')
        report(st == 201, "setup: device probe created in " + t,
               "got %d %s" % (st, data[:300]))

    # Every row of the table is used exactly once per case.
    assert len(MATRIX) == len(set((m, p) for m, p, *_ in MATRIX))

    logout = ("POST", "/v1/auth/logout")
    for method, path, anon, own, other in MATRIX:
        body = PROBE_BODY.get((method, path))
        ctype = None
        if (method, path) in RAW:
            ctype, body = RAW[(method, path)]
        concrete = fill(path, cfg, {"tenant": "alpha"})
        for label, tok in (("no token", None),
                           ("bogus token", "vgl_" + "A" * 43)):
            st, _, data = cl.call(method, concrete, tok, body, ctype)
            check("%s: %s %s" % (label, method, concrete), anon, st, data)
        for role in ROLES:
            for fresh in (True, False):
                fs = "fresh" if fresh else "stale"
                for tcase, tname, part in (("own", "alpha", own),
                                           ("other", "beta", other)):
                    key = "%s-%s-%s" % (role, tcase, fs)
                    case = {"tenant": tname}
                    case.update(cfg["cases"][key])
                    platform = path.startswith("/v1/platform/")
                    if platform and "{principal}" in path:
                        case["principal"] = "pa"
                    if method == "DELETE" and "{principal}" in path:
                        case["principal"] = case[
                            "platform_victim_principal" if platform else
                            "victim_principal"]
                    if platform and "{token}" in path:
                        case["victim_token"] = case["platform_victim_token"]
                    tok = cfg["tokens"][role][fs]
                    if (method, path) == logout:
                        tok = case["logout_token"]
                    p = fill(path, cfg, case)
                    st, _, data = cl.call(method, p, tok, body, ctype)
                    check("%s %s %s tenant: %s %s" % (role, fs, tcase,
                          method, p), expected(part, role, fresh), st, data)

    # A cross-tenant 404 reads exactly like an unknown tenant's.
    for role in ("TA", "OP", "AU"):
        tok = cfg["tokens"][role]["fresh"]
        _, _, d1 = cl.call("GET", "/v1/tenants/beta", tok)
        _, _, d2 = cl.call("GET", "/v1/tenants/nosuch", tok)
        try:
            t1 = json.loads(d1)["detail"].replace("beta", "X")
            t2 = json.loads(d2)["detail"].replace("nosuch", "X")
        except (ValueError, KeyError):
            t1, t2 = d1, d2
        report(t1 == t2, "%s: another tenant's 404 says the same as an "
               "unknown tenant's" % role, "%r vs %r" % (d1, d2))

    # Re-authentication turns a stale token fresh for privileged routes.
    stale = cfg["reauth"]["token"]
    route = "/v1/tenants/alpha/principals"
    st, _, data = cl.call("POST", route, stale, "{}")
    check("reauth: stale tenant-admin token: POST " + route, "403r", st,
          data)
    st, _, data = cl.call("POST", "/v1/auth/reauth", stale,
                          json.dumps({"password": "wrong password!"}))
    check("reauth: a wrong password is refused", "401", st, data)
    st, _, data = cl.call("POST", "/v1/auth/reauth", stale,
                          json.dumps({"password": cfg["reauth"]["password"]}))
    check("reauth: the right password", "200", st, data)
    st, _, data = cl.call("POST", route, stale, "{}")
    check("reauth: the same token now reaches the handler: POST " + route,
          "422", st, data)

    print("# %d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
