/*
 * Flow addresses (flow.h): the text form of the 16-byte address of a
 * flow record and its reader, IPv4 in the first 4 bytes.
 */
#include <arpa/inet.h>
#include <string.h>

#include "vigil/flow.h"

void
vigil_flow_addr_str(uint8_t family, const uint8_t addr[16],
    char buf[VIGIL_FLOW_IP_STRLEN])
{
	buf[0] = '\0';
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf,
	    VIGIL_FLOW_IP_STRLEN) == NULL)
		buf[0] = '\0';
}

bool
vigil_flow_addr_parse(const char *s, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	*family = 0;
	if (s == NULL)
		return false;
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = 6;
		return true;
	}
	memset(addr, 0, 16);
	return false;
}
