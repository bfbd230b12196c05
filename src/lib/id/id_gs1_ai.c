/* PLACEHOLDER */
#include "id_internal.h"
