/* SPDX-License-Identifier: MIT */
/*
 * netaddr.h - classify socket addresses for the SSRF guard: is this the
 * public internet, or loopback, private, link-local, multicast or an
 * unspecified address? Pure: no I/O, safe on any thread.
 */
#ifndef CRAWLD_NETADDR_H
#define CRAWLD_NETADDR_H

#include <stdbool.h>
#include <sys/socket.h>

#include "crawld/base/common.h"

enum netaddr_class {
	NETADDR_PUBLIC = 0,
	NETADDR_LOOPBACK,    /* 127.0.0.0/8, ::1 */
	NETADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, 100.64/10,
				fc00::/7 */
	NETADDR_LINKLOCAL,   /* 169.254/16, fe80::/10 */
	NETADDR_MULTICAST,   /* 224/4, 255.255.255.255, ff00::/8 */
	NETADDR_UNSPECIFIED, /* 0.0.0.0/8, :: and anything not IP */
};

/* The class of an AF_INET or AF_INET6 address (IPv4-mapped IPv6 is
   classified as the IPv4 address it carries). */
enum netaddr_class netaddr_classify(const struct sockaddr *sa);

/* "public", "loopback", "private", "link-local", "multicast",
   "unspecified". */
const char *netaddr_class_name(enum netaddr_class c);

/* Whether two addresses are the same host address (ports ignored;
   IPv4-mapped IPv6 equals its IPv4 address). */
bool netaddr_same_host(const struct sockaddr *a, const struct sockaddr *b);

#endif /* CRAWLD_NETADDR_H */
