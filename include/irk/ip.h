/* ip.h: IP addresses in text form: which are addresses, which are ours. */
#ifndef IRK_IP_H
#define IRK_IP_H

/* Nonzero when s is an IPv4 address (dotted quad) or an IPv6 address.
 * NULL and names give 0. */
int ip_is_address(const char *s);

/* Nonzero when s is an address of a network not routed on the Internet,
 * so one of the organisation's own: RFC 1918 (10/8, 172.16/12,
 * 192.168/16), RFC 6598 shared space (100.64/10), loopback (127/8, ::1),
 * link-local (169.254/16, fe80::/10), RFC 4193 unique local (fc00::/7),
 * and IPv4-mapped IPv6 (::ffff:a.b.c.d) forms of the IPv4 ones. 0 for
 * every other address, a name, or NULL. */
int ip_is_internal(const char *s);

/* Nonzero when cidr is ADDRESS/BITS (IPv4 /0../32, IPv6 /0../128). */
int ip_cidr_valid(const char *cidr);

/* Nonzero when addr (an address of the same family) is in network cidr
 * ("10.0.0.0/8", "2001:db8::/32"). 0 for a name, NULL or a bad cidr. */
int ip_in_cidr(const char *addr, const char *cidr);

#endif
