/*
 * solve_unpack.c - a decompressing read stream for sync databases: gzip
 * (zlib), xz (liblzma), zstd (libzstd), bzip2 (libbz2) or a plain tar, chosen
 * by the file's magic bytes, as a stdio FILE (fopencookie).
 *
 * We decompress ourselves rather than through libsolvext's solv_xfopen_fd:
 * its zstd reader loops forever on a file that ends inside a frame header (a
 * 4-byte file holding only the zstd magic hangs it; found by fuzz_syncdb),
 * and a database that is cut short must fail with a message, never hang.
 *
 * Every codec here is driven by one rule: a read either produces bytes,
 * reaches a clean end after a complete stream, or fails.  A call that makes no
 * progress while input remains, or input that ends inside a stream, is an
 * error ("truncated …").  Concatenated streams (gzip members, xz streams, zstd
 * frames) are read as one, as the command-line tools do.  Output is capped at
 * UNPACK_MAX bytes so a small hostile file cannot expand without bound.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "solve_internal.h"

#define UNPACK_IN	(64u << 10)	/* compressed bytes read at a time */
#define UNPACK_MAX	(1ull << 30)	/* decompressed bytes accepted */

struct unpack {
	int		 fd;
	enum solve_unpack_kind kind;
	unsigned char	*in;		/* compressed input buffer */
	size_t		 inpos, inlen;
	int		 in_eof;	/* read(2) said 0 */
	int		 done;		/* clean end reached */
	int		 started;	/* a stream is open (gzip/xz/zstd/bz2) */
	uint64_t	 total;		/* bytes produced */
	char		*err;		/* caller's buffer for the reason */
	size_t		 errsz;
	z_stream	 z;
	lzma_stream	 x;
	ZSTD_DStream	*zs;
	size_t		 zs_need;	/* 0 after a complete frame */
	bz_stream	 bz;
};

static ssize_t
unpack_fail(struct unpack *u, const char *msg)
{
	if (u->err != NULL && u->errsz > 0 && u->err[0] == '\0')
		snprintf(u->err, u->errsz, "%s", msg);
	errno = EIO;
	return -1;
}

/* Top up the input buffer when it is empty.  0, or -1 on a read error. */
static int
unpack_fill(struct unpack *u)
{
	ssize_t n;

	if (u->inpos < u->inlen || u->in_eof)
		return 0;
	do
		n = read(u->fd, u->in, UNPACK_IN);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	u->inpos = 0;
	u->inlen = (size_t)n;
	if (n == 0)
		u->in_eof = 1;
	return 0;
}

static int
unpack_more_input(const struct unpack *u)
{
	return u->inpos < u->inlen;
}

/* One step of gzip: 0 bytes with done set at the end, or -1. */
static ssize_t
unpack_gz(struct unpack *u, char *buf, size_t len)
{
	int rc;

	for (;;) {
		if (unpack_fill(u) < 0)
			return unpack_fail(u, "read error");
		if (!u->started) {
			if (!unpack_more_input(u)) {
				u->done = 1;
				return 0;
			}
			if (inflateReset2(&u->z, 16 + MAX_WBITS) != Z_OK)
				return unpack_fail(u, "gzip: cannot reset");
			u->started = 1;
		}
		if (!unpack_more_input(u) && u->in_eof)
			return unpack_fail(u, "gzip: truncated (input ends "
			    "inside a member)");
		u->z.next_in = u->in + u->inpos;
		u->z.avail_in = (uInt)(u->inlen - u->inpos);
		u->z.next_out = (Bytef *)buf;
		u->z.avail_out = (uInt)len;
		rc = inflate(&u->z, Z_NO_FLUSH);
		u->inpos = u->inlen - u->z.avail_in;
		if (rc == Z_STREAM_END)
			u->started = 0;	/* another member may follow */
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return unpack_fail(u, u->z.msg != NULL ? u->z.msg :
			    "gzip: corrupt data");
		if (len - u->z.avail_out > 0)
			return (ssize_t)(len - u->z.avail_out);
		if (rc == Z_BUF_ERROR && unpack_more_input(u))
			return unpack_fail(u, "gzip: no progress");
	}
}

static ssize_t
unpack_xz(struct unpack *u, char *buf, size_t len)
{
	lzma_ret rc;

	for (;;) {
		if (unpack_fill(u) < 0)
			return unpack_fail(u, "read error");
		u->x.next_in = u->in + u->inpos;
		u->x.avail_in = u->inlen - u->inpos;
		u->x.next_out = (uint8_t *)buf;
		u->x.avail_out = len;
		/* LZMA_FINISH at end of input makes a cut stream an error. */
		rc = lzma_code(&u->x, u->in_eof ? LZMA_FINISH : LZMA_RUN);
		u->inpos = u->inlen - u->x.avail_in;
		if (rc == LZMA_STREAM_END) {
			u->done = 1;
			return (ssize_t)(len - u->x.avail_out);
		}
		if (rc == LZMA_BUF_ERROR)
			return unpack_fail(u, "xz: truncated (input ends "
			    "inside a stream)");
		if (rc != LZMA_OK)
			return unpack_fail(u, rc == LZMA_FORMAT_ERROR ?
			    "xz: not xz data" : rc == LZMA_MEMLIMIT_ERROR ?
			    "xz: needs too much memory" : "xz: corrupt data");
		if (len - u->x.avail_out > 0)
			return (ssize_t)(len - u->x.avail_out);
	}
}

static ssize_t
unpack_zstd(struct unpack *u, char *buf, size_t len)
{
	ZSTD_inBuffer	 in;
	ZSTD_outBuffer	 out;
	size_t		 rc;

	for (;;) {
		if (unpack_fill(u) < 0)
			return unpack_fail(u, "read error");
		if (!unpack_more_input(u) && u->in_eof) {
			if (u->zs_need != 0)
				return unpack_fail(u, "zstd: truncated (input "
				    "ends inside a frame)");
			u->done = 1;
			return 0;
		}
		in.src = u->in + u->inpos;
		in.size = u->inlen - u->inpos;
		in.pos = 0;
		out.dst = buf;
		out.size = len;
		out.pos = 0;
		rc = ZSTD_decompressStream(u->zs, &out, &in);
		u->inpos += in.pos;
		if (ZSTD_isError(rc))
			return unpack_fail(u, ZSTD_getErrorName(rc));
		u->zs_need = rc;
		if (out.pos > 0)
			return (ssize_t)out.pos;
		if (in.pos == 0 && rc != 0)
			return unpack_fail(u, "zstd: no progress");
	}
}

static ssize_t
unpack_bz2(struct unpack *u, char *buf, size_t len)
{
	int rc;

	for (;;) {
		if (unpack_fill(u) < 0)
			return unpack_fail(u, "read error");
		if (!u->started) {
			if (!unpack_more_input(u)) {
				u->done = 1;
				return 0;
			}
			memset(&u->bz, 0, sizeof(u->bz));
			if (BZ2_bzDecompressInit(&u->bz, 0, 0) != BZ_OK)
				return unpack_fail(u, "bzip2: cannot start");
			u->started = 1;
		}
		if (!unpack_more_input(u) && u->in_eof)
			return unpack_fail(u, "bzip2: truncated (input ends "
			    "inside a stream)");
		u->bz.next_in = (char *)u->in + u->inpos;
		u->bz.avail_in = (unsigned)(u->inlen - u->inpos);
		u->bz.next_out = buf;
		u->bz.avail_out = (unsigned)len;
		rc = BZ2_bzDecompress(&u->bz);
		u->inpos = u->inlen - u->bz.avail_in;
		if (rc == BZ_STREAM_END) {
			BZ2_bzDecompressEnd(&u->bz);
			u->started = 0;
		} else if (rc != BZ_OK)
			return unpack_fail(u, "bzip2: corrupt data");
		if (len - u->bz.avail_out > 0)
			return (ssize_t)(len - u->bz.avail_out);
	}
}

static ssize_t
unpack_plain(struct unpack *u, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(u->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return unpack_fail(u, "read error");
	if (n == 0)
		u->done = 1;
	return n;
}

static ssize_t
unpack_read(void *cookie, char *buf, size_t len)
{
	struct unpack	*u = cookie;
	ssize_t		 n;

	if (u->done || len == 0)
		return 0;
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	switch (u->kind) {
	case SOLVE_UNPACK_GZIP:
		n = unpack_gz(u, buf, len);
		break;
	case SOLVE_UNPACK_XZ:
		n = unpack_xz(u, buf, len);
		break;
	case SOLVE_UNPACK_ZSTD:
		n = unpack_zstd(u, buf, len);
		break;
	case SOLVE_UNPACK_BZIP2:
		n = unpack_bz2(u, buf, len);
		break;
	default:
		n = unpack_plain(u, buf, len);
		break;
	}
	if (n > 0 && (u->total += (uint64_t)n) > UNPACK_MAX)
		return unpack_fail(u, "decompresses to more than 1 GiB");
	return n;
}

static int
unpack_close(void *cookie)
{
	struct unpack *u = cookie;

	inflateEnd(&u->z);
	lzma_end(&u->x);
	ZSTD_freeDStream(u->zs);
	if (u->kind == SOLVE_UNPACK_BZIP2 && u->started)
		BZ2_bzDecompressEnd(&u->bz);
	close(u->fd);
	free(u->in);
	free(u);
	return 0;
}

enum solve_unpack_kind
solve_unpack_sniff(const unsigned char *m, size_t n)
{
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return SOLVE_UNPACK_GZIP;
	if (n >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0)
		return SOLVE_UNPACK_XZ;
	if (n >= 4 && memcmp(m, "\x28\xb5\x2f\xfd", 4) == 0)
		return SOLVE_UNPACK_ZSTD;
	if (n >= 3 && memcmp(m, "BZh", 3) == 0)
		return SOLVE_UNPACK_BZIP2;
	if (n >= 263 && memcmp(m + 257, "ustar", 5) == 0)
		return SOLVE_UNPACK_TAR;
	return SOLVE_UNPACK_UNKNOWN;
}

/*
 * Open a decompressing stream of KIND over FD, which it then owns (closed by
 * fclose, or here on failure).  On a read failure the stream's error flag is
 * set and the reason goes to ERR (ERRSZ bytes, left alone if already set).
 * Returns NULL (FD closed) when out of memory.
 */
FILE *
solve_unpack_open(int fd, enum solve_unpack_kind kind, char *err, size_t errsz)
{
	static const cookie_io_functions_t io = {
		.read = unpack_read, .close = unpack_close,
	};
	struct unpack	*u = NULL;
	FILE		*fp = NULL;
	lzma_stream	 xinit = LZMA_STREAM_INIT;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		goto out;
	u->fd = fd;
	u->kind = kind;
	u->err = err;
	u->errsz = errsz;
	u->x = xinit;
	if ((u->in = malloc(UNPACK_IN)) == NULL)
		goto out;
	if (inflateInit2(&u->z, 16 + MAX_WBITS) != Z_OK)
		goto out;
	if (kind == SOLVE_UNPACK_XZ && lzma_stream_decoder(&u->x, 256u << 20,
	    LZMA_CONCATENATED) != LZMA_OK)
		goto out;
	if (kind == SOLVE_UNPACK_ZSTD && ((u->zs = ZSTD_createDStream()) ==
	    NULL || ZSTD_isError(ZSTD_initDStream(u->zs))))
		goto out;
	if ((fp = fopencookie(u, "r", io)) == NULL)
		goto out;
	u = NULL;
out:
	if (u != NULL) {
		inflateEnd(&u->z);
		lzma_end(&u->x);
		ZSTD_freeDStream(u->zs);
		free(u->in);
		free(u);
		close(fd);
	}
	return fp;
}
