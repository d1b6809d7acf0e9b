// SPDX-License-Identifier: MIT
/*
 * netlab-launch: `up`'s launcher as a program of its own (lab/node.h,
 * lab/nodewire.h).  Linked statically from the few files of libnetlab a
 * supervisor runs, and no other library, so that the thousand supervisors
 * cloned from it carry no netlink or INI code they never call.
 */
#include "lab/node.h"

int main(int argc, char **argv)
{
	return nlab_launcher_main(argc, argv);
}
