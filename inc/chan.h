/*
 * Channels for programs built as networks of envs that talk over IPC, in
 * the style of CSP: each env reads a stream of words from each of a few
 * neighbours.  ipc_recv takes whichever sender comes first, so an inbox
 * files each word under its sender, and the reader takes one channel's
 * words in the order they were sent.  A channel buffers words its reader
 * has not asked for yet (CSP's channels do not): a program keeps the
 * words outstanding on a channel under CHAN_QLEN, or inbox_recv panics.
 *
 * A roster is the table of a network's env ids.  The parent forks the
 * envs and fills it in; it is one page shared (PTE_SHARE) with every
 * child, so each child also learns the ids of the envs forked after it.
 */
#ifndef JOS_INC_CHAN_H
#define JOS_INC_CHAN_H

#include <inc/types.h>
#include <inc/env.h>
#include <inc/mmu.h>

#define CHAN_QLEN	32	// words a channel can hold unread
#define INBOX_NCHAN	4	// channels an inbox can have

struct chan {
	envid_t from;		// the one env that writes this channel
	uint32_t nin, nout;	// words received, words read
	uint32_t word[CHAN_QLEN];
};

struct inbox {
	int nchan;
	struct chan chan[INBOX_NCHAN];
};

#define ROSTER_NID	(PGSIZE / sizeof(envid_t) - 1)

struct roster {
	volatile int complete;	// set once every id is in
	volatile envid_t id[ROSTER_NID];
};

int	inbox_listen(struct inbox *in, envid_t from);
uint32_t inbox_recv(struct inbox *in, int c);

struct roster *roster_create(void *va);
void	roster_publish(struct roster *r);
void	roster_wait(struct roster *r);

#endif /* !JOS_INC_CHAN_H */
