/*
 * Fuzz target for the IPC decoder (src/vigild/ipc.c): arbitrary bytes
 * as one received frame. A frame the decoder accepts must describe a
 * known type whose payload obeyed its rule: texts NUL-terminated at
 * their length with no NUL inside, epoch objects bounded.
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
	{
		struct ipc_hdr h;

		memcpy(&h, data, sizeof h);
		if (size != sizeof h + h.len)
			abort();
	}
	return 0;
}
