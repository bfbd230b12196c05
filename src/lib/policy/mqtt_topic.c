/*
 * MQTT topic names and filters (MQTT 3.1.1 and 5.0 §4.7): validity
 * (UTF-8, 1..65535 bytes, wildcards only as whole levels, '#' last),
 * matching a topic name against a filter and deciding whether one
 * filter covers every topic another matches.
 */
#include <string.h>

#include "vigil/policy.h"

#define MQTT_TOPIC_MAX 65535 /* bytes, MQTT §1.5.3 */

enum vigil_err
vigil_mqtt_check(const char *s, int wildcards, char *err, size_t errsize)
{
	size_t len, i, start = 0;

	if (s == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "topic: missing");
	len = strlen(s);
	if (len == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "topic: empty");
	if (len > MQTT_TOPIC_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "topic: %zu bytes, at most %u", len, MQTT_TOPIC_MAX);
	for (i = 0; i <= len; i++) {
		char c = s[i];

		if (c == '/' || c == '\0') {
			start = i + 1;
			continue;
		}
		if ((unsigned char)c >= 0x80) {
			size_t l = vigil_utf8_decode(s + i, len - i, NULL);

			if (l == 0)
				return vigil_seterr(err, errsize, VIGIL_EINVAL,
				    "topic: not UTF-8 at offset %zu", i);
			i += l - 1;
			continue;
		}
		if (c != '+' && c != '#')
			continue;
		if (!wildcards)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "topic '%.64s': wildcard '%c' at offset %zu in a "
			    "topic name", s, c, i);
		if (i != start || (s[i + 1] != '/' && s[i + 1] != '\0'))
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "topic '%.64s': '%c' at offset %zu is not a "
			    "whole level", s, c, i);
		if (c == '#' && s[i + 1] != '\0')
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "topic '%.64s': '#' at offset %zu is not the "
			    "last level", s, i);
	}
	return VIGIL_OK;
}

/* Length of the level starting at s. */
static size_t
level_len(const char *s)
{
	return strcspn(s, "/");
}

static int
is_level(const char *s, size_t n, char c)
{
	return n == 1 && s[0] == c;
}

int
vigil_mqtt_topic_matches(const char *filter, const char *topic)
{
	const char *f = filter, *t = topic;

	if (vigil_mqtt_check(filter, 1, NULL, 0) != VIGIL_OK ||
	    vigil_mqtt_check(topic, 0, NULL, 0) != VIGIL_OK)
		return 0;
	if (topic[0] == '$' && (filter[0] == '+' || filter[0] == '#'))
		return 0;
	for (;;) {
		size_t fl = level_len(f), tl = level_len(t);

		if (is_level(f, fl, '#'))
			return 1;
		if (!is_level(f, fl, '+') &&
		    (fl != tl || memcmp(f, t, fl) != 0))
			return 0;
		f += fl;
		t += tl;
		if (*f == '\0' && *t == '\0')
			return 1;
		if (*f == '/' && *t == '/') {
			f++;
			t++;
			continue;
		}
		/* "a/#" also matches the parent "a" (§4.7.1.2) */
		return *t == '\0' && strcmp(f, "/#") == 0;
	}
}

int
vigil_mqtt_filter_covers(const char *outer, const char *inner)
{
	const char *o = outer, *i = inner;

	if (vigil_mqtt_check(outer, 1, NULL, 0) != VIGIL_OK ||
	    vigil_mqtt_check(inner, 1, NULL, 0) != VIGIL_OK)
		return 0;
	if ((outer[0] == '+' || outer[0] == '#') && inner[0] == '$')
		return 0;
	for (;;) {
		size_t ol = level_len(o), il = level_len(i);

		if (is_level(o, ol, '#'))
			return 1;
		if (is_level(i, il, '#'))
			return 0;
		if (!is_level(o, ol, '+') && (is_level(i, il, '+') ||
		    ol != il || memcmp(o, i, ol) != 0))
			return 0;
		o += ol;
		i += il;
		if (*o == '\0' && *i == '\0')
			return 1;
		if (*o == '/' && *i == '/') {
			o++;
			i++;
			continue;
		}
		return *i == '\0' && strcmp(o, "/#") == 0;
	}
}
