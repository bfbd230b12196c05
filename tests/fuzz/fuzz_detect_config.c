/*
 * Fuzz target for detection settings and intel lists
 * (src/lib/detect/detect_config.c, detect_intel.c): arbitrary text read
 * as a "key = value" file, and as a threat-intelligence list.
 *
 * Checks: no crash, leak or overread (ASan); a refusal names its line;
 * an accepted file renders to JSON whose values, written back as a
 * file, load again to the same rendering; an intel list either loads
 * (its entry count bounded by its lines) or names its line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
as_file(json_t *j)
{
	struct vigil_buf b;
	const char *k;
	json_t *v;

	vigil_buf_init(&b, 1 << 20);
	json_object_foreach(j, k, v) {
		json_t *val = json_object_get(v, "value");

		if (json_is_string(val))
			(void)vigil_buf_appendf(&b, "%s = %s\n", k,
			    json_string_value(val));
		else if (json_is_integer(val))
			(void)vigil_buf_appendf(&b, "%s = %lld\n", k,
			    (long long)json_integer_value(val));
		else if (json_is_real(val))
			(void)vigil_buf_appendf(&b, "%s = %.17g\n", k,
			    json_real_value(val));
	}
	return b.data;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_detect_config c, c2;
	struct vigil_detect *d = NULL;
	char err[256];
	size_t n = 0, lines = 1;
	json_t *j, *j2;
	char *file;

	vigil_detect_config_defaults(&c);
	err[0] = '\0';
	if (vigil_detect_config_load(&c, (const char *)data, size, err,
	    sizeof err) != VIGIL_OK) {
		if (strncmp(err, "line ", 5) != 0)
			abort();
	} else {
		j = vigil_detect_config_to_json(&c);
		if (j == NULL)
			abort();
		file = as_file(j);
		vigil_detect_config_defaults(&c2);
		if (file == NULL || vigil_detect_config_load(&c2, file,
		    strlen(file), err, sizeof err) != VIGIL_OK)
			abort();
		j2 = vigil_detect_config_to_json(&c2);
		if (j2 == NULL || !json_equal(j, j2))
			abort();
		json_decref(j2);
		json_decref(j);
		free(file);
	}

	vigil_detect_config_defaults(&c);
	if (vigil_detect_new(&c, NULL, &d) != VIGIL_OK)
		abort();
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (vigil_detect_intel_load(d, "fuzz", (const char *)data, size, &n,
	    err, sizeof err) == VIGIL_OK) {
		if (n > lines)
			abort();
	} else if (strstr(err, "line ") == NULL) {
		abort();
	}
	vigil_detect_free(d);
	return 0;
}
