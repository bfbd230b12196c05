/*
 * Mobile country codes (ITU-T E.212) and how long their mobile network
 * codes are, for splitting an IMSI (3GPP TS 23.003 §2.2) into MCC, MNC
 * and MSIN. The MNC length is a property of the MCC's numbering plan,
 * not of the digits, so it has to come from a table.
 */
#ifndef VIGIL_ID_MCC_H
#define VIGIL_ID_MCC_H

#include <stdint.h>

enum id_mnc_len {
	ID_MNC_BOTH = 0, /* 2- and 3-digit MNCs coexist under this MCC */
	ID_MNC_2 = 2,
	ID_MNC_3 = 3,
};

struct id_mcc {
	uint16_t mcc;
	uint8_t mnc_len; /* enum id_mnc_len */
	const char *country;
};

/* The entry for mcc (0..999), or NULL when the MCC is not assigned. */
const struct id_mcc *id_mcc_lookup(unsigned mcc);

#endif
