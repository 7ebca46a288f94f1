/* Channels and rosters for networks of envs (see inc/chan.h). */
#include <inc/lib.h>
#include <inc/chan.h>

// Open a channel in inbox in for the words from env from.  Returns the
// channel's number, for inbox_recv.
int
inbox_listen(struct inbox *in, envid_t from)
{
	struct chan *c;

	if (in->nchan == INBOX_NCHAN)
		panic("inbox_listen: more than %d channels", INBOX_NCHAN);
	c = &in->chan[in->nchan];
	c->from = from;
	c->nin = c->nout = 0;
	return in->nchan++;
}

// Receive one word, from any sender, and queue it on its sender's channel.
static void
file_word(struct inbox *in)
{
	envid_t from;
	uint32_t w;
	struct chan *c;

	w = ipc_recv(&from, NULL, NULL);
	if (from == 0)
		panic("inbox: ipc_recv: %e", w);
	for (c = in->chan; c < in->chan + in->nchan; c++)
		if (c->from == from)
			break;
	if (c == in->chan + in->nchan)
		panic("inbox: a word from %08x, which has no channel", from);
	if (c->nin - c->nout == CHAN_QLEN)
		panic("inbox: the channel from %08x is full", from);
	c->word[c->nin++ % CHAN_QLEN] = w;
}

// The next word on channel c of inbox in, waiting for it.  Words that
// come from the inbox's other senders meanwhile wait on their channels.
uint32_t
inbox_recv(struct inbox *in, int c)
{
	struct chan *ch = &in->chan[c];

	while (ch->nout == ch->nin)
		file_word(in);
	return ch->word[ch->nout++ % CHAN_QLEN];
}

// A new, empty roster at va, to be shared by the children we fork.
struct roster *
roster_create(void *va)
{
	int r;

	r = sys_page_alloc(0, va, PTE_P | PTE_U | PTE_W | PTE_SHARE);
	if (r < 0)
		panic("roster_create: %e", r);
	return (struct roster *) va;
}

// Tell the children every id is in.  x86 makes stores visible in program
// order and keeps loads in order, and the fields are volatile, so a child
// that sees complete set sees every id written before it.
void
roster_publish(struct roster *r)
{
	r->complete = 1;
}

// Yield until the parent has filled in the roster.
void
roster_wait(struct roster *r)
{
	while (!r->complete)
		sys_yield();
}
