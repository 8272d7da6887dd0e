/* SPDX-License-Identifier: MIT */
/*
 * test_netaddr.c - the SSRF guard's address classes: every class the
 * README names (loopback; private 10/8, 172.16/12, 192.168/16, 100.64/10,
 * fc00::/7; link-local v4 and v6; multicast v4 and v6; IPv4-mapped IPv6 as
 * the IPv4 address it carries; public), each at its edges and one address
 * past them, and netaddr_same_host().
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "crawld/base/netaddr.h"
#include "harness.h"

/* Parse a numeric IPv4 or IPv6 address (with a port) into ss. */
static int
addr_of(const char *text, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		return 0;
	}
	return -1;
}

/* Every class, at the edges of each range and just outside them. */
static void
test_classes(void)
{
	static const struct {
		const char *addr;
		enum netaddr_class want;
	} rows[] = {
	    /* loopback: 127/8 and ::1 */
	    {"127.0.0.1", NETADDR_LOOPBACK},
	    {"127.0.0.0", NETADDR_LOOPBACK},
	    {"127.255.255.255", NETADDR_LOOPBACK},
	    {"126.255.255.255", NETADDR_PUBLIC},
	    {"128.0.0.0", NETADDR_PUBLIC},
	    {"::1", NETADDR_LOOPBACK},
	    /* 10/8 */
	    {"10.0.0.0", NETADDR_PRIVATE},
	    {"10.255.255.255", NETADDR_PRIVATE},
	    {"9.255.255.255", NETADDR_PUBLIC},
	    {"11.0.0.0", NETADDR_PUBLIC},
	    /* 172.16/12 */
	    {"172.16.0.0", NETADDR_PRIVATE},
	    {"172.20.1.2", NETADDR_PRIVATE},
	    {"172.31.255.255", NETADDR_PRIVATE},
	    {"172.15.255.255", NETADDR_PUBLIC},
	    {"172.32.0.0", NETADDR_PUBLIC},
	    /* 192.168/16 */
	    {"192.168.0.0", NETADDR_PRIVATE},
	    {"192.168.255.255", NETADDR_PRIVATE},
	    {"192.167.255.255", NETADDR_PUBLIC},
	    {"192.169.0.0", NETADDR_PUBLIC},
	    /* 100.64/10 (carrier-grade NAT) */
	    {"100.64.0.0", NETADDR_PRIVATE},
	    {"100.127.255.255", NETADDR_PRIVATE},
	    {"100.63.255.255", NETADDR_PUBLIC},
	    {"100.128.0.0", NETADDR_PUBLIC},
	    /* fc00::/7 (unique local) */
	    {"fc00::", NETADDR_PRIVATE},
	    {"fd12:3456::1", NETADDR_PRIVATE},
	    {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_PRIVATE},
	    {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_PUBLIC},
	    {"fe00::", NETADDR_PUBLIC},
	    /* link-local: 169.254/16, fe80::/10 */
	    {"169.254.0.0", NETADDR_LINKLOCAL},
	    {"169.254.169.254", NETADDR_LINKLOCAL},
	    {"169.254.255.255", NETADDR_LINKLOCAL},
	    {"169.253.255.255", NETADDR_PUBLIC},
	    {"169.255.0.0", NETADDR_PUBLIC},
	    {"fe80::1", NETADDR_LINKLOCAL},
	    {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_LINKLOCAL},
	    {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_PUBLIC},
	    /* multicast: 224/4, the broadcast address, ff00::/8 */
	    {"224.0.0.0", NETADDR_MULTICAST},
	    {"239.255.255.255", NETADDR_MULTICAST},
	    {"223.255.255.255", NETADDR_PUBLIC},
	    {"255.255.255.255", NETADDR_MULTICAST},
	    {"ff02::1", NETADDR_MULTICAST},
	    {"ff00::", NETADDR_MULTICAST},
	    {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_PUBLIC},
	    /* unspecified: 0/8 and :: */
	    {"0.0.0.0", NETADDR_UNSPECIFIED},
	    {"0.255.255.255", NETADDR_UNSPECIFIED},
	    {"1.0.0.0", NETADDR_PUBLIC},
	    {"::", NETADDR_UNSPECIFIED},
	    /* IPv4-mapped IPv6: the class of the IPv4 address inside */
	    {"::ffff:127.0.0.1", NETADDR_LOOPBACK},
	    {"::ffff:10.1.2.3", NETADDR_PRIVATE},
	    {"::ffff:172.16.0.1", NETADDR_PRIVATE},
	    {"::ffff:192.168.1.1", NETADDR_PRIVATE},
	    {"::ffff:100.64.0.1", NETADDR_PRIVATE},
	    {"::ffff:169.254.169.254", NETADDR_LINKLOCAL},
	    {"::ffff:224.0.0.1", NETADDR_MULTICAST},
	    {"::ffff:0.0.0.0", NETADDR_UNSPECIFIED},
	    {"::ffff:8.8.8.8", NETADDR_PUBLIC},
	    /* public */
	    {"8.8.8.8", NETADDR_PUBLIC},
	    {"93.184.216.34", NETADDR_PUBLIC},
	    {"2001:db8::1", NETADDR_PUBLIC},
	    {"2606:4700::1111", NETADDR_PUBLIC},
	};
	struct sockaddr_storage ss;
	enum netaddr_class got;
	size_t i;

	for (i = 0; i < CW_NELEM(rows); i++) {
		if (addr_of(rows[i].addr, 80, &ss) != 0) {
			fprintf(stderr, "  cannot parse %s\n", rows[i].addr);
			harness_failures++;
			continue;
		}
		got = netaddr_classify((const struct sockaddr *)&ss);
		if (got != rows[i].want) {
			fprintf(stderr, "  %s: %s, want %s\n", rows[i].addr,
			    netaddr_class_name(got),
			    netaddr_class_name(rows[i].want));
			harness_failures++;
		}
	}
}

/* A socket address that is not IP is never public. */
static void
test_not_ip(void)
{
	struct sockaddr_un un;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	CHECK_INT(netaddr_classify((const struct sockaddr *)&un),
	    NETADDR_UNSPECIFIED);
}

/* The names used in logs. */
static void
test_names(void)
{
	CHECK_STR(netaddr_class_name(NETADDR_PUBLIC), "public");
	CHECK_STR(netaddr_class_name(NETADDR_LOOPBACK), "loopback");
	CHECK_STR(netaddr_class_name(NETADDR_PRIVATE), "private");
	CHECK_STR(netaddr_class_name(NETADDR_LINKLOCAL), "link-local");
	CHECK_STR(netaddr_class_name(NETADDR_MULTICAST), "multicast");
	CHECK_STR(netaddr_class_name(NETADDR_UNSPECIFIED), "unspecified");
	CHECK_STR(netaddr_class_name((enum netaddr_class)99), "unspecified");
}

/* Whether a and b (text) are the same host by netaddr_same_host(). */
static int
same(const char *a, uint16_t pa, const char *b, uint16_t pb)
{
	struct sockaddr_storage sa, sb;

	if (addr_of(a, pa, &sa) != 0 || addr_of(b, pb, &sb) != 0)
		return -1;
	return netaddr_same_host(
	    (const struct sockaddr *)&sa, (const struct sockaddr *)&sb);
}

/* Same host: ports ignored, IPv4-mapped IPv6 equal to its IPv4 address,
   and nothing else equal. */
static void
test_same_host(void)
{
	struct sockaddr_un un;
	struct sockaddr_storage sa;

	CHECK_INT(same("127.0.0.1", 80, "127.0.0.1", 8080), 1);
	CHECK_INT(same("127.0.0.1", 80, "127.0.0.2", 80), 0);
	CHECK_INT(same("127.0.0.1", 80, "::ffff:127.0.0.1", 80), 1);
	CHECK_INT(same("::ffff:10.0.0.1", 1, "10.0.0.1", 2), 1);
	CHECK_INT(same("::ffff:10.0.0.1", 1, "10.0.0.2", 1), 0);
	CHECK_INT(same("::1", 80, "::1", 443), 1);
	CHECK_INT(same("::1", 80, "127.0.0.1", 80), 0);
	/* An IPv6 address is never equal to an IPv4 one (not even :: and
	   0.0.0.0, which carry the same zero bits). */
	CHECK_INT(same("::", 80, "0.0.0.0", 80), 0);
	CHECK_INT(same("0.0.0.0", 80, "::", 80), 0);
	CHECK_INT(same("fe80::1", 80, "fe80::2", 80), 0);
	/* An IPv4-compatible (not mapped) address is not the IPv4 one. */
	CHECK_INT(same("::127.0.0.1", 80, "127.0.0.1", 80), 0);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	REQUIRE(addr_of("::1", 80, &sa) == 0);
	CHECK(!netaddr_same_host(
	    (const struct sockaddr *)&un, (const struct sockaddr *)&sa));
	CHECK(!netaddr_same_host(
	    (const struct sockaddr *)&un, (const struct sockaddr *)&un));
}

static const struct test tests[] = {
    TEST(classes),
    TEST(not_ip),
    TEST(names),
    TEST(same_host),
};

TEST_MAIN(tests)
