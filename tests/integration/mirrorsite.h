/* SPDX-License-Identifier: MIT */
/*
 * mirrorsite.h - the fixture site of the mirror tests (it_mirror.c,
 * st_browser.c), for testsrv_start(): HTML with a stylesheet that
 * @imports another, url() in CSS, a <style> block and a style attribute,
 * img srcset, a script, a redirect, a 404, a query string, "/x" as a file
 * and "/x/" as a directory, and hostile names ("..%2f", "%2e%2e", control
 * bytes, a 300-byte segment).
 */
#ifndef CRAWLD_MIRRORSITE_H
#define CRAWLD_MIRRORSITE_H

#include "testsrv.h"

/* An image without NUL bytes (testsrv bodies are C strings). */
#define MIRROR_SITE_SVG                                                        \
	"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"32\" "              \
	"height=\"32\"><rect width=\"32\" height=\"32\" fill=\"#2080e0\"/>"    \
	"</svg>"

#define MIRROR_SITE_LONG                                                       \
	"LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL" \
	"LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL" \
	"LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL" \
	"LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL" \
	"LLLLLLLLLLLLLLLLLLLLLLLLLLLL"

#define MIRROR_SITE_INDEX                                                      \
	"<!DOCTYPE html><html><head><title>fixture</title>"                    \
	"<link rel=stylesheet href=\"/css/site.css\">"                         \
	"<script src=\"js/app.js\"></script>"                                  \
	"<style>h2{background:url('/img/s.svg')}</style></head>"               \
	"<body><h1 id=top>mirror fixture</h1>"                                 \
	"<img src=\"/img/a.svg\" srcset=\"/img/a.svg 1x, /img/a2.svg 2x\">"    \
	"<div style=\"background-image:url(img/st.svg)\">styled</div>"         \
	"<a href=\"/page?a=1&amp;b=2\">query</a>"                              \
	"<a href=\"/r\">redirect</a> <a href=\"/missing\">404</a>"             \
	"<a href=\"/x\">x</a> <a href=\"/x/\">x dir</a>"                       \
	"<a href=\"/..%2f..%2fetc%2fpasswd\">dots</a>"                         \
	"<a href=\"/%2e%2e/up\">up</a> <a href=\"/ctl%01%0a\">ctl</a>"         \
	"<a href=\"/" MIRROR_SITE_LONG "\">long</a>"                           \
	"<a href=\"/about#team\">about</a> <a href=\"#top\">top</a>"           \
	"<a href=\"http://other.invalid/ext\">away</a>"                        \
	"</body></html>"

#define MIRROR_SITE_SUB                                                        \
	"<html><body><img src=\"/img/a.svg\"><a href=\"/\">home</a>"           \
	"</body></html>"

static const struct testsrv_page mirror_site[] = {
    {"/", 0, NULL, MIRROR_SITE_INDEX, NULL, 0},
    {"/css/site.css", 0, "text/css",
	"@import \"more.css\";\nbody{color:#063;background:url(../img/bg.svg)}",
	NULL, 0},
    {"/css/more.css", 0, "text/css", "h1{background:url(\"/img/h.svg\")}", NULL,
	0},
    {"/js/app.js", 0, "text/javascript", "document.title='ok';", NULL, 0},
    {"/img/a.svg", 0, "image/svg+xml", MIRROR_SITE_SVG, NULL, 0},
    {"/img/a2.svg", 0, "image/svg+xml", MIRROR_SITE_SVG, NULL, 0},
    {"/img/bg.svg", 0, "image/svg+xml", MIRROR_SITE_SVG, NULL, 0},
    {"/img/h.svg", 0, "image/svg+xml", MIRROR_SITE_SVG, NULL, 0},
    {"/img/s.svg", 0, "image/svg+xml", MIRROR_SITE_SVG, NULL, 0},
    {"/img/st.svg", 0, "image/svg+xml", MIRROR_SITE_SVG, NULL, 0},
    {"/page?a=1&b=2", 0, NULL, MIRROR_SITE_SUB, NULL, 0},
    {"/r", 302, NULL, "", "%ORIGIN%/target.html", 0},
    {"/target.html", 0, NULL, MIRROR_SITE_SUB, NULL, 0},
    {"/x", 0, "text/plain", "x as a file", NULL, 0},
    {"/x/", 0, NULL, MIRROR_SITE_SUB, NULL, 0},
    {"/..%2F..%2Fetc%2Fpasswd", 0, NULL, MIRROR_SITE_SUB, NULL, 0},
    {"/up", 0, NULL, MIRROR_SITE_SUB, NULL, 0},
    {"/ctl%01%0A", 0, NULL, MIRROR_SITE_SUB, NULL, 0},
    {"/" MIRROR_SITE_LONG, 0, NULL, MIRROR_SITE_SUB, NULL, 0},
    {"/about", 0, NULL, MIRROR_SITE_SUB, NULL, 0},
};

#endif /* CRAWLD_MIRRORSITE_H */
