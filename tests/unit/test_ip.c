/* test_ip.c: which text is an IP address, and which addresses are ours
 * (src/core/ip.c): the affected host of an alert depends on it. */
#include <criterion/criterion.h>

#include "irk/ip.h"

Test(ip, internal_ranges_and_their_edges)
{
	static const char *const ours[] = {
		"10.0.0.0", "10.255.255.255", "172.16.0.1", "172.31.255.254",
		"192.168.0.1", "192.168.255.255", "100.64.0.1", "100.127.255.254",
		"127.0.0.1", "127.255.0.9", "169.254.1.1", "::1", "fc00::1", "fd12:3456::20",
		"fe80::1", "febf::1", "::ffff:10.1.2.3", "::ffff:192.168.1.1",
	};
	static const char *const theirs[] = {
		"9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0",
		"192.167.255.255", "192.169.0.0", "100.63.255.255", "100.128.0.0",
		"169.253.1.1", "203.0.113.10", "8.8.8.8", "2001:db8::1", "fec0::1",
		"::2", "::", "::ffff:8.8.8.8", "0.0.0.0",
	};
	static const char *const not_addresses[] = {
		"", "ids-edge-02", "10.0.0", "10.0.0.256", "10.0.0.5@P@", " 10.0.0.1",
		"3232235777", "fd00::1::2", "10.0.0.1/8",
	};

	for (size_t i = 0; i < sizeof ours / sizeof *ours; i++) {
		cr_expect(ip_is_internal(ours[i]), "%s is internal", ours[i]);
		cr_expect(ip_is_address(ours[i]), "%s is an address", ours[i]);
	}
	for (size_t i = 0; i < sizeof theirs / sizeof *theirs; i++) {
		cr_expect_not(ip_is_internal(theirs[i]), "%s is not internal", theirs[i]);
		cr_expect(ip_is_address(theirs[i]), "%s is an address", theirs[i]);
	}
	for (size_t i = 0; i < sizeof not_addresses / sizeof *not_addresses; i++) {
		cr_expect_not(ip_is_internal(not_addresses[i]), "'%s'", not_addresses[i]);
		cr_expect_not(ip_is_address(not_addresses[i]), "'%s'", not_addresses[i]);
	}
	cr_expect_not(ip_is_internal(NULL));
	cr_expect_not(ip_is_address(NULL));
}
