/* ip.c: classifying IP addresses (see ip.h). */
#include <arpa/inet.h>
#include <stdlib.h>
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

/* cidr into its family, address bytes and prefix length; -1 when it is
 * not ADDRESS/BITS. */
static int cidr_parse(const char *cidr, int *fam, unsigned char net[16], int *bits)
{
	char host[64];
	const char *slash = strchr(cidr ? cidr : "", '/');
	char *end;
	long b;

	if (!slash || (size_t)(slash - cidr) >= sizeof host || !slash[1])
		return -1;
	memcpy(host, cidr, (size_t)(slash - cidr));
	host[slash - cidr] = '\0';
	b = strtol(slash + 1, &end, 10);
	if (*end || slash[1] < '0' || slash[1] > '9')
		return -1;
	if (inet_pton(AF_INET, host, net) == 1)
		*fam = AF_INET;
	else if (inet_pton(AF_INET6, host, net) == 1)
		*fam = AF_INET6;
	else
		return -1;
	if (b < 0 || b > (*fam == AF_INET ? 32 : 128))
		return -1;
	*bits = (int)b;
	return 0;
}

int ip_cidr_valid(const char *cidr)
{
	unsigned char net[16];
	int fam, bits;

	return cidr_parse(cidr, &fam, net, &bits) == 0;
}

int ip_in_cidr(const char *addr, const char *cidr)
{
	unsigned char net[16], a[16];
	int fam, bits;

	if (!addr || cidr_parse(cidr, &fam, net, &bits) || inet_pton(fam, addr, a) != 1)
		return 0;
	for (int i = 0; i < bits / 8; i++)
		if (a[i] != net[i])
			return 0;
	if (bits % 8) {
		unsigned char mask = (unsigned char)(0xff << (8 - bits % 8));
		if ((a[bits / 8] & mask) != (net[bits / 8] & mask))
			return 0;
	}
	return 1;
}
