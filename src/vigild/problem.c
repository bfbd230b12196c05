/*
 * RFC 9457 problem details: one shape for every error the API returns,
 * so clients read "detail" (what exactly is wrong, and where) and
 * "instance" (the request id to quote in a bug report or to find the
 * server's log line) in one place.
 */
#include <stdio.h>

#include "problem.h"

struct status_title {
	int status;
	const char *title;
};

static const struct status_title titles[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 423, "Locked" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

const char *
problem_title(int status)
{
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
		if (titles[i].status == status)
			return titles[i].title;
	return "Error";
}

/* The detail may quote client input that is not UTF-8 (a tenant name
 * from the path): JSON strings must be, so such bytes become '?'. */
static json_t *
detail_string(const char *detail)
{
	json_t *s;
	char buf[2048];
	size_t i;

	if (detail == NULL)
		detail = "";
	if ((s = json_string(detail)) != NULL)
		return s;
	for (i = 0; detail[i] != '\0' && i + 1 < sizeof buf; i++)
		buf[i] = (unsigned char)detail[i] < 0x80 ? detail[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

json_t *
problem_json(int status, const char *slug, const char *detail,
    const char *instance)
{
	char type[160];

	snprintf(type, sizeof type, "%s%s", PROBLEM_TYPE_BASE,
	    slug != NULL && slug[0] != '\0' ? slug : "error");
	return json_pack("{s:s, s:s, s:i, s:o, s:s}", "type", type, "title",
	    problem_title(status), "status", status, "detail",
	    detail_string(detail), "instance",
	    instance != NULL ? instance : "");
}
