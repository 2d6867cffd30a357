/* Identifiers: NID, mobile numbers, bank routing numbers and account numbers. */
#include <string.h>

#include "wgo.h"

int account_min_len = 6, account_max_len = 20;

/* Bengali digits to ASCII, then drop the spaces and hyphens people type. */
static int
squeeze(const char *s, char *out, size_t n, const char **why)
{
	char t[128];
	size_t o = 0;
	if (bn_digits_to_ascii(s, t, sizeof t) < 0) {
		*why = "too long";
		return -1;
	}
	for (const char *p = t; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (o + 1 >= n) {
			*why = "too long";
			return -1;
		}
		out[o++] = *p;
	}
	out[o] = 0;
	if (!o) {
		*why = "empty";
		return -1;
	}
	return 0;
}

static int
all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int
nid_check(const char *s, char *norm, size_t n, const char **why)
{
	char t[64];
	static _Thread_local char msg[64];
	if (squeeze(s, t, sizeof t, why) < 0)
		return -1;
	if (!all_digits(t)) {
		*why = "an NID has digits only";
		return -1;
	}
	size_t len = strlen(t);
	if (len != 10 && len != 13 && len != 17) {
		snprintf(msg, sizeof msg, "an NID has 10, 13 or 17 digits, not %zu", len);
		*why = msg;
		return -1;
	}
	if (len == 17) {
		int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
		if (y < 1900 || y > 2199) {
			*why = "a 17-digit NID starts with a birth year";
			return -1;
		}
	}
	if (strlen(t) + 1 > n) {
		*why = "too long";
		return -1;
	}
	memcpy(norm, t, len + 1);
	return 0;
}

int
mobile_check(const char *s, char *norm, size_t n, const char **why)
{
	char t[64];
	const char *p;
	if (squeeze(s, t, sizeof t, why) < 0)
		return -1;
	if (!strncmp(t, "+880", 4))
		p = t + 4;
	else if (!strncmp(t, "880", 3))
		p = t + 3;
	else if (t[0] == '0')
		p = t + 1;
	else {
		*why = "a mobile number starts with +880, 880 or 0";
		return -1;
	}
	if (!all_digits(p) || strlen(p) != 10) {
		*why = "a mobile number is 11 digits: 01, the operator's digit and 8 more";
		return -1;
	}
	if (p[0] != '1') {
		*why = "a mobile number starts 01 (or +8801)";
		return -1;
	}
	if (p[1] < '3') {
		*why = "the operator digit must be 3 to 9";
		return -1;
	}
	if (n < 15) {
		*why = "too long";
		return -1;
	}
	snprintf(norm, n, "+880%s", p);
	return 0;
}

int
routing_check_digit(const char *d)
{
	static const int w[8] = { 5, 3, 9, 5, 3, 9, 5, 3 };
	int s = 0;
	for (int i = 0; i < 8; i++)
		s += w[i] * (d[i] - '0');
	return s % 10;
}

int
routing_check(const char *s, char *norm, size_t n, const char **why)
{
	char t[64];
	static _Thread_local char msg[64];
	if (squeeze(s, t, sizeof t, why) < 0)
		return -1;
	if (!all_digits(t)) {
		*why = "a routing number has digits only";
		return -1;
	}
	if (strlen(t) != 9) {
		snprintf(msg, sizeof msg, "a routing number has 9 digits, not %zu", strlen(t));
		*why = msg;
		return -1;
	}
	int cd = routing_check_digit(t);
	if (t[8] - '0' != cd) {
		snprintf(msg, sizeof msg, "check digit is %c, expected %d", t[8], cd);
		*why = msg;
		return -1;
	}
	if (n < 10) {
		*why = "too long";
		return -1;
	}
	memcpy(norm, t, 10);
	return 0;
}

int
account_check(const char *s, char *norm, size_t n, const char **why)
{
	char t[64];
	static _Thread_local char msg[80];
	if (squeeze(s, t, sizeof t, why) < 0)
		return -1;
	if (!all_digits(t)) {
		*why = "an account number has digits only";
		return -1;
	}
	size_t len = strlen(t);
	if ((int)len < account_min_len || (int)len > account_max_len) {
		snprintf(msg, sizeof msg, "an account number has %d to %d digits, not %zu",
		         account_min_len, account_max_len, len);
		*why = msg;
		return -1;
	}
	if (len + 1 > n) {
		*why = "too long";
		return -1;
	}
	memcpy(norm, t, len + 1);
	return 0;
}
