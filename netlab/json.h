/* SPDX-License-Identifier: MIT */
/* Just enough JSON output for --json: strings escaped, nothing else. */
#ifndef NETLAB_JSON_H
#define NETLAB_JSON_H

#include <stdio.h>

void json_str(FILE *f, const char *s);

#endif
