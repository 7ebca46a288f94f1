/*
 * Run as two environments: envs[1] receives forever, the other sends to
 * it forever.  The scheduler must still give both the CPU.
 */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t me = sys_getenvid(), who;

	if (thisenv == &envs[1]) {
		for (;;) {
			ipc_recv(&who, 0, 0);
			cprintf("%x recv from %x\n", me, who);
		}
	}
	cprintf("%x loop sending to %x\n", me, envs[1].env_id);
	for (;;)
		ipc_send(envs[1].env_id, 0, 0, 0);
}
