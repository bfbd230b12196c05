/* The PEM passphrase callback for keys that are never encrypted. */
#include "vigil/core.h"

/* -1, not 0: with 0 OpenSSL still tries the empty passphrase, so a key
 * encrypted with "" would load (and others fail with a cipher error);
 * -1 refuses every encrypted key ("bad password read"). */
int
vigil_pem_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}
