/* ip.c: classifying IP addresses (see ip.h). */
#include <arpa/inet.h>
#include <string.h>

#include "irk/ip.h"

int ip_is_address(const char *s)
{
	unsigned char b[16];

	return s && (inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1);
}

static int v4_internal(const unsigned char *b)
{
	return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	       (b[0] == 192 && b[1] == 168) || (b[0] == 100 && (b[1] & 0xc0) == 64) ||
	       (b[0] == 169 && b[1] == 254);
}

int ip_is_internal(const char *s)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char loopback[16] = { [15] = 1 };
	unsigned char b[16];

	if (!s)
		return 0;
	if (inet_pton(AF_INET, s, b) == 1)
		return v4_internal(b);
	if (inet_pton(AF_INET6, s, b) != 1)
		return 0;
	if (!memcmp(b, mapped, sizeof mapped))
		return v4_internal(b + 12);
	return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
	       !memcmp(b, loopback, sizeof loopback);
}
