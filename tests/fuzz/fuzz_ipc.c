/*
 * Fuzz target for the IPC decoder (src/vigild/ipc.c): arbitrary bytes
 * as one received frame. A frame the decoder accepts must describe a
 * known type whose payload obeyed its rule: texts NUL-terminated at
 * their length with no NUL inside, epoch objects bounded, and a
 * device PKI message's variable part exactly as long as its fixed part
 * says, with NUL-terminated text fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipc_msg m;
	char err[256];

	if (ipc_decode(data, size, &m, err, sizeof err) != 0) {
		if (err[0] == '\0')
			abort(); /* a rejection always says why */
		return 0;
	}
	if (m.type <= IPC_NONE || m.type >= IPC_TYPE_COUNT)
		abort();
	if ((m.type == IPC_CONFIG || m.type == IPC_SIGN_ERR) &&
	    (m.text_len == 0 || m.text_len > IPC_MAX_PAYLOAD ||
	    strlen(m.text) != m.text_len))
		abort();
	if (m.type == IPC_SIGN_ERR && m.text_len > 256)
		abort();
	if (m.type == IPC_EPOCH &&
	    (strlen(m.epoch.object) == 0 ||
	    strlen(m.epoch.object) > IPC_EPOCH_OBJECT_MAX))
		abort();
	if (m.type == IPC_CA_ISSUE_REQ &&
	    (m.data_len != m.ca_issue.csr_len || m.data_len == 0 ||
	    m.data_len > IPC_CA_CSR_MAX ||
	    memchr(m.ca_issue.actor, '\0', sizeof m.ca_issue.actor) == NULL ||
	    memchr(m.ca_issue.source_ip, '\0',
	    sizeof m.ca_issue.source_ip) == NULL ||
	    m.ca_issue.tenant_id[0] == '\0'))
		abort();
	if (m.type == IPC_CA_OCSP_REQ &&
	    (m.data_len != m.ca_ocsp.len || m.data_len == 0 ||
	    memchr(m.ca_ocsp.ca_id, '\0', sizeof m.ca_ocsp.ca_id) == NULL))
		abort();
	if (m.type == IPC_CA_CRL_REQ &&
	    memchr(m.ca_crl.ca_id, '\0', sizeof m.ca_crl.ca_id) == NULL)
		abort();
	if ((m.type == IPC_CA_ISSUE_RES || m.type == IPC_CA_OCSP_RES ||
	    m.type == IPC_CA_CRL_RES) &&
	    (m.data_len != m.ca_res.len || m.ca_res.pad != 0 ||
	    (m.ca_res.status != 0 && (m.data_len == 0 ||
	    memchr(m.data, '\0', m.data_len) != NULL))))
		abort();
	{
		struct ipc_hdr h;

		memcpy(&h, data, sizeof h);
		if (size != sizeof h + h.len)
			abort();
	}
	return 0;
}
