/*
 * Parent and child pass a page back and forth with ipc.  Each maps the
 * page at its own address, so the kernel must map it where the receiver
 * asked, not where the sender had it.
 */
#include <inc/lib.h>

#define PARENT_VA	((char *) 0xa00000)
#define CHILD_VA	((char *) 0xb00000)

const char *str1 = "hello child environment! how are you?";
const char *str2 = "hello parent environment! I'm good.";

// Wait for the page at va and check that it holds want.
static void
receive(char *va, const char *want, const char *who)
{
	envid_t from;

	ipc_recv(&from, va, 0);
	cprintf("%x got message: %s\n", from, va);
	if (strncmp(va, want, strlen(want)) == 0)
		cprintf("%s received correct message\n", who);
}

void
umain(int argc, char **argv)
{
	envid_t child;
	int r;

	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		receive(CHILD_VA, str1, "child");
		strcpy(CHILD_VA, str2);
		ipc_send(thisenv->env_parent_id, 0, CHILD_VA,
			 PTE_P | PTE_W | PTE_U);
		return;
	}

	if ((r = sys_page_alloc(0, PARENT_VA, PTE_P | PTE_W | PTE_U)) < 0)
		panic("sys_page_alloc: %e", r);
	strcpy(PARENT_VA, str1);
	ipc_send(child, 0, PARENT_VA, PTE_P | PTE_W | PTE_U);
	receive(PARENT_VA, str2, "parent");
}
