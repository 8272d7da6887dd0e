/* SPDX-License-Identifier: MIT */
/*
 * netaddr.c - address classes for the SSRF guard. Owns nothing.
 */
#include <netinet/in.h>
#include <string.h>

#include "crawld/base/netaddr.h"

/* The IPv4 address in sa (host order), also inside an IPv4-mapped IPv6
   address; false when there is none. */
static bool
netaddr_v4(const struct sockaddr *sa, uint32_t *v4)
{
	const struct sockaddr_in6 *s6;
	const uint8_t *b;

	if (sa->sa_family == AF_INET) {
		*v4 = ntohl(((const struct sockaddr_in *)(const void *)sa)
				->sin_addr.s_addr);
		return true;
	}
	if (sa->sa_family != AF_INET6)
		return false;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (!IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return false;
	b = s6->sin6_addr.s6_addr + 12;
	*v4 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	return true;
}

/* Classify an IPv4 address (host order). */
static enum netaddr_class
netaddr_classify_v4(uint32_t a)
{
	if ((a >> 24) == 127)
		return NETADDR_LOOPBACK;
	if ((a >> 24) == 0)
		return NETADDR_UNSPECIFIED;
	if ((a >> 24) == 10 || (a >> 20) == (172 << 4 | 1) ||
	    (a >> 16) == (192 << 8 | 168) || (a >> 22) == (100 << 2 | 1))
		return NETADDR_PRIVATE;
	if ((a >> 16) == (169 << 8 | 254))
		return NETADDR_LINKLOCAL;
	if ((a >> 28) == 0xe || a == 0xffffffffU)
		return NETADDR_MULTICAST;
	return NETADDR_PUBLIC;
}

/* Classify an address. */
enum netaddr_class
netaddr_classify(const struct sockaddr *sa)
{
	const struct in6_addr *a;
	uint32_t v4;

	if (netaddr_v4(sa, &v4))
		return netaddr_classify_v4(v4);
	if (sa->sa_family != AF_INET6)
		return NETADDR_UNSPECIFIED;
	a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (IN6_IS_ADDR_LOOPBACK(a))
		return NETADDR_LOOPBACK;
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return NETADDR_UNSPECIFIED;
	if (IN6_IS_ADDR_MULTICAST(a))
		return NETADDR_MULTICAST;
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return NETADDR_LINKLOCAL;
	if ((a->s6_addr[0] & 0xfe) == 0xfc)
		return NETADDR_PRIVATE;
	return NETADDR_PUBLIC;
}

/* Names for logs and reasons. */
const char *
netaddr_class_name(enum netaddr_class c)
{
	switch (c) {
	case NETADDR_PUBLIC:
		return "public";
	case NETADDR_LOOPBACK:
		return "loopback";
	case NETADDR_PRIVATE:
		return "private";
	case NETADDR_LINKLOCAL:
		return "link-local";
	case NETADDR_MULTICAST:
		return "multicast";
	case NETADDR_UNSPECIFIED:
		return "unspecified";
	}
	return "unspecified";
}

/* Same host address, ports ignored. */
bool
netaddr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	uint32_t a4 = 0, b4 = 0;
	bool av4 = netaddr_v4(a, &a4), bv4 = netaddr_v4(b, &b4);

	if (av4 || bv4)
		return av4 && bv4 && a4 == b4;
	if (a->sa_family != AF_INET6 || b->sa_family != AF_INET6)
		return false;
	return memcmp(
		   &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
		   &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
		   sizeof(struct in6_addr)) == 0;
}
