/* PLACEHOLDER */
#include "id_internal.h"
int vigil_luhn_check_digit(const char *d, size_t n) { (void)d; (void)n; return -1; }
int vigil_luhn16_check_digit(const char *d, size_t n) { (void)d; (void)n; return -1; }
int vigil_gs1_check_digit(const char *d, size_t n) { (void)d; (void)n; return -1; }
int vigil_mod97(const char *d, size_t n) { (void)d; (void)n; return -1; }
