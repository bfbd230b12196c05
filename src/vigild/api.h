/*
 * API handlers, one per route of the table in routes_table.c. Each file
 * api_<area>.c implements its area's handlers; the server has already
 * authenticated, resolved the tenant and checked the permission (see
 * reqctx.h) when a handler runs.
 */
#ifndef VIGILD_API_H
#define VIGILD_API_H

#include "vigil/core.h"

struct req;
struct vigil_device;


void api_healthz(struct req *r); /* GET /healthz */

void api_readyz(struct req *r); /* GET /readyz */

void api_metrics(struct req *r); /* GET /metrics */

void api_auth_login(struct req *r); /* POST /v1/auth/login */
void api_auth_reauth(struct req *r); /* POST /v1/auth/reauth */
void api_auth_logout(struct req *r); /* POST /v1/auth/logout */
void api_auth_whoami(struct req *r); /* GET /v1/auth/whoami */
void api_auth_password(struct req *r); /* POST /v1/auth/password */
void api_auth_totp_begin(struct req *r); /* POST /v1/auth/totp */
void api_auth_totp_confirm(struct req *r); /* POST /v1/auth/totp/confirm */

void api_tenant_list(struct req *r); /* GET /v1/tenants */
void api_tenant_create(struct req *r); /* POST /v1/tenants */
void api_tenant_get(struct req *r); /* GET /v1/tenants/{tenant} */
void api_tenant_update(struct req *r); /* PATCH /v1/tenants/{tenant} */
void api_tenant_delete(struct req *r); /* DELETE /v1/tenants/{tenant} */

void api_device_list(struct req *r); /* GET /v1/tenants/{tenant}/devices */
void api_device_create(struct req *r); /* POST /v1/tenants/{tenant}/devices */
void api_device_import(struct req *r); /* POST /v1/tenants/{tenant}/devices/import */
void api_device_export(struct req *r); /* GET /v1/tenants/{tenant}/devices/export */
void api_device_get(struct req *r); /* GET /v1/tenants/{tenant}/devices/{device} */
void api_device_update(struct req *r); /* PATCH /v1/tenants/{tenant}/devices/{device} */
void api_device_state(struct req *r); /* POST /v1/tenants/{tenant}/devices/{device}/state */
/* Ends a device change (api_device.c): audits and replies; frees d. */
void api_device_finish(struct req *r, enum vigil_err e, const char *action,
    const char *ref, struct vigil_device *d, const char *detail);
void api_device_history(struct req *r); /* GET /v1/tenants/{tenant}/devices/{device}/history */
void api_device_summary(struct req *r); /* GET /v1/tenants/{tenant}/summary */

void api_principal_list(struct req *r); /* GET /v1/tenants/{tenant}/principals */
void api_principal_create(struct req *r); /* POST /v1/tenants/{tenant}/principals */
void api_principal_get(struct req *r); /* GET /v1/tenants/{tenant}/principals/{principal} */
void api_principal_update(struct req *r); /* PATCH /v1/tenants/{tenant}/principals/{principal} */
void api_principal_delete(struct req *r); /* DELETE /v1/tenants/{tenant}/principals/{principal} */
void api_principal_password(struct req *r); /* POST /v1/tenants/{tenant}/principals/{principal}/password */

void api_token_create(struct req *r); /* POST /v1/tenants/{tenant}/principals/{principal}/tokens */
void api_token_list(struct req *r); /* GET /v1/tenants/{tenant}/tokens */
void api_token_revoke(struct req *r); /* DELETE /v1/tenants/{tenant}/tokens/{token} */

void api_platform_principal_list(struct req *r); /* GET /v1/platform/principals */
void api_platform_principal_create(struct req *r); /* POST /v1/platform/principals */
void api_platform_principal_get(struct req *r); /* GET /v1/platform/principals/{principal} */
void api_platform_principal_update(struct req *r); /* PATCH /v1/platform/principals/{principal} */
void api_platform_principal_delete(struct req *r); /* DELETE /v1/platform/principals/{principal} */
void api_platform_principal_password(struct req *r); /* POST /v1/platform/principals/{principal}/password */
void api_platform_token_create(struct req *r); /* POST /v1/platform/principals/{principal}/tokens */
void api_platform_token_list(struct req *r); /* GET /v1/platform/tokens */
void api_platform_token_revoke(struct req *r); /* DELETE /v1/platform/tokens/{token} */

void api_audit_list(struct req *r); /* GET /v1/tenants/{tenant}/audit */
void api_audit_list_all(struct req *r); /* GET /v1/audit */
void api_audit_verify(struct req *r); /* GET /v1/audit/verify */

/* Device PKI, operator side (api_pki.c). */
void api_ca_list(struct req *r); /* GET /v1/tenants/{tenant}/cas */
void api_ca_get(struct req *r); /* GET /v1/tenants/{tenant}/cas/{ca} */
void api_ca_update(struct req *r); /* PATCH /v1/tenants/{tenant}/cas/{ca} */
void api_cert_list(struct req *r); /* GET /v1/tenants/{tenant}/certs */
void api_cert_get(struct req *r); /* GET /v1/tenants/{tenant}/certs/{serial} */
void api_cert_revoke(struct req *r); /* POST .../certs/{serial}/revoke */
void api_cert_hold(struct req *r); /* POST .../certs/{serial}/hold */
void api_cert_release(struct req *r); /* POST .../certs/{serial}/release */
void api_cert_audit(struct req *r); /* GET /v1/tenants/{tenant}/certs-audit */
void api_cert_renewal(struct req *r); /* GET /v1/tenants/{tenant}/certs-renewal */
void api_enroll_token_create(struct req *r); /* POST .../enrollment-tokens */
void api_enroll_token_list(struct req *r); /* GET .../enrollment-tokens */
void api_enroll_token_delete(struct req *r); /* DELETE .../enrollment-tokens/{id} */
void api_enroll_list(struct req *r); /* GET .../enrollments */
void api_enroll_approve(struct req *r); /* POST .../enrollments/{id}/approve */
void api_enroll_reject(struct req *r); /* POST .../enrollments/{id}/reject */
void api_claim_allow(struct req *r); /* POST /v1/tenants/{tenant}/claims */

/* Issuance through the signer, deferred replies (api_pki_issue.c). */
void api_cert_issue(struct req *r); /* POST /v1/tenants/{tenant}/certs */
void api_cert_issue_device(struct req *r); /* POST .../devices/{device}/certs */

/* Vulnerability management (api_vuln.c). Platform routes under /v1/vuln,
 * /v1/vulns, /v1/products, /v1/cra; tenant views under /v1/tenants/{tenant}. */
void api_vuln_feed_import(struct req *r); /* POST /v1/vuln/feeds */
void api_vuln_feed_list(struct req *r); /* GET /v1/vuln/feeds */
void api_vuln_build_list(struct req *r); /* GET /v1/vuln/builds */
void api_vuln_build_import(struct req *r); /* POST /v1/vuln/builds */
void api_vuln_build_get(struct req *r); /* GET /v1/vuln/builds/{build} */
void api_vuln_build_delete(struct req *r); /* DELETE /v1/vuln/builds/{build} */
void api_vuln_build_sbom(struct req *r); /* GET .../builds/{build}/sbom */
void api_vuln_build_vex(struct req *r); /* GET .../builds/{build}/vex */
void api_vuln_vex_import(struct req *r); /* POST /v1/vuln/vex */
void api_vuln_scan(struct req *r); /* POST /v1/vuln/scan */
void api_vuln_list(struct req *r); /* GET /v1/vulns, .../tenants/{tenant}/vulns */
void api_vuln_show(struct req *r); /* GET .../vulns/{id} */
void api_vuln_affected(struct req *r); /* GET .../vulns/{id}/affected */
void api_vuln_exploited(struct req *r); /* PUT /v1/vulns/{id}/exploited */
void api_device_findings(struct req *r); /* GET .../devices/{device}/findings */
void api_device_firmware(struct req *r); /* PUT .../devices/{device}/firmware */
void api_product_list(struct req *r); /* GET /v1/products */
void api_product_set(struct req *r); /* PUT /v1/products/{model} */
void api_cra_status(struct req *r); /* GET /v1/cra */
void api_cra_open(struct req *r); /* POST /v1/cra */
void api_cra_step(struct req *r); /* POST /v1/cra/{id}/{step} */
void api_cra_draft(struct req *r); /* GET /v1/cra/{id}/draft */

/* Zero-trust policies (api_policy.c), tenant routes: stored policies,
 * versions, attachments, decisions explained, lint. */
void api_policy_list(struct req *r); /* GET .../policies */
void api_policy_get(struct req *r); /* GET .../policies/{policy} */
void api_policy_put(struct req *r); /* PUT .../policies/{policy} */
void api_policy_delete(struct req *r); /* DELETE .../policies/{policy} */
void api_policy_versions(struct req *r); /* GET .../{policy}/versions */
void api_policy_rollback(struct req *r); /* POST .../{policy}/rollback */
void api_policy_attach(struct req *r); /* POST .../{policy}/attachments */
void api_policy_detach(struct req *r); /* DELETE .../{policy}/attachments */
void api_policy_attachments(struct req *r); /* GET .../policy-attachments */
void api_policy_decide(struct req *r); /* POST .../policy-decisions */
void api_policy_lint(struct req *r); /* POST .../policy-lint */

/* Device posture and containment (api_posture.c). */
void api_device_quarantine(struct req *r); /* POST .../{device}/quarantine */
void api_device_release(struct req *r); /* POST .../{device}/release */
void api_device_posture(struct req *r); /* GET .../{device}/posture */
void api_device_checkins(struct req *r); /* GET .../{device}/checkins */
void api_baseline_list(struct req *r); /* GET .../baselines */
void api_baseline_set(struct req *r); /* PUT .../baselines/{model} */

/* Network monitoring (api_alert.c, api_net.c): alerts, shadow IoT
 * findings, address bindings and cellular sessions (alertdb.h). */
void api_alert_list(struct req *r); /* GET .../alerts */
void api_alert_list_all(struct req *r); /* GET /v1/alerts */
void api_alert_get(struct req *r); /* GET .../alerts/{id} */
void api_alert_ack(struct req *r); /* POST .../alerts/{id}/ack */
void api_alert_close(struct req *r); /* POST .../alerts/{id}/close */
void api_shadow_list(struct req *r); /* GET .../shadow */
void api_shadow_list_all(struct req *r); /* GET /v1/shadow */
void api_shadow_adopt(struct req *r); /* POST .../shadow/{id}/adopt */
void api_shadow_dismiss(struct req *r); /* POST .../shadow/{id}/dismiss */
void api_netbinding_list(struct req *r); /* GET .../net-bindings */
void api_netbinding_put(struct req *r); /* PUT .../net-bindings */
void api_netbinding_delete(struct req *r); /* DELETE .../net-bindings */
void api_netsession_list(struct req *r); /* GET .../sessions */

#endif
