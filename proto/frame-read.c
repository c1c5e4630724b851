#include "frame-read.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "../common/util.h"
#include "frame.h"

/* poll's timeout until deadline_ns: -1 without one (0), 0 once it has
 * passed. */
static int ms_until(int64_t deadline_ns)
{
	int64_t left;

	if (deadline_ns == 0)
		return -1;
	left = (deadline_ns - time_mono_ns() + 999999) / 1000000;
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* The fds an SCM_RIGHTS message carried, kept or not. */
static size_t cmsg_fds(struct msghdr *mh)
{
	size_t n = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			n += (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	return n;
}

/* One recvmsg of at most want bytes, waiting for them if need be.
 * Returns the bytes read, 0 at EOF, -1 with err set. */
static ssize_t recv_some(int sock, struct buf *in, size_t want, int64_t deadline_ns, int *fds,
			 size_t *nfds, size_t max_fds, struct md_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_READ_FDS_MAX)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf_reserve(in, want), .iov_len = want };
	/* Room for the fds still wanted (alignment may leave room for one
	 * more, which fds_from_cmsg closes); what does not fit at all is
	 * MSG_CTRUNC, and the kernel closes it. */
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
		.msg_controllen = CMSG_SPACE(sizeof(int) * (max_fds - *nfds)),
	};
	size_t kept;
	ssize_t n;

	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT)) < 0) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		int ms;

		if (errno != EAGAIN && errno != EINTR)
			return md_err_set(err, errno, "recvmsg");
		if (errno == EINTR)
			continue;
		ms = ms_until(deadline_ns);
		if (ms == 0)
			return md_err_set(err, ETIMEDOUT, "no whole frame in time");
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return md_err_set(err, errno, "poll");
	}
	kept = fds_from_cmsg(&mh, fds + *nfds, max_fds - *nfds);
	*nfds += kept;
	if ((mh.msg_flags & MSG_CTRUNC) || kept < cmsg_fds(&mh))
		return md_err_set(err, EPROTO, "more fds than the %zu expected", max_fds);
	buf_commit(in, (size_t)n);
	return n;
}

int proto_frame_read_one(int sock, struct buf *in, size_t max_len, int64_t deadline_ns, int *fds,
			 size_t *nfds, size_t max_fds, struct md_err *err)
{
	size_t start = buf_used(in), total = PROTO_HDR_LEN;
	bool sized = false;

	if (max_fds > PROTO_READ_FDS_MAX || *nfds > max_fds)
		return md_err_set(err, EINVAL, "room for %zu fds asked", max_fds);
	while (buf_used(in) - start < total) {
		ssize_t n = recv_some(sock, in, total - (buf_used(in) - start), deadline_ns, fds,
				      nfds, max_fds, err);
		struct frame_hdr h;
		const char *why = NULL;

		if (n <= 0)
			return n == 0 ? 1 : -1;
		if (sized || buf_used(in) - start < PROTO_HDR_LEN)
			continue;
		if (proto_hdr_decode(buf_head(in) + start, PROTO_HDR_LEN, &h, &why) != PROTO_OK)
			return md_err_set(err, EPROTO, "%s", why ? why : "a bad frame header");
		if (h.len > max_len)
			return md_err_set(err, EPROTO, "a frame of %u bytes, over %zu", h.len,
					  max_len);
		total += h.len;
		sized = true;
	}
	return 0;
}
