/*
 * solve_syncdb.c - read one pacman sync database (a tarball of NAME-VERSION/desc
 * entries, older ones with a separate NAME-VERSION/depends) into a libsolv Repo.
 *
 * We read the tar stream ourselves instead of using libsolvext's
 * repo_add_arch_repo because that reader cannot report errors (a file that is
 * not a tarball or is cut short silently gives an empty or partial repository)
 * and keeps only the first of several %GROUPS%.  Decompression is ours too
 * (solve_unpack.c: gzip, xz, zstd, bzip2), so a cut stream fails, never hangs.
 *
 * Kept per package: name, version, arch, depends, conflicts, provides, replaces
 * (as obsoletes; the resolver ignores them like `pacman -S`), groups, sizes,
 * description, url, licenses, packager, build date, sha256 and optdepends
 * (under SOLVE_KEY_OPTDEPENDS) for the catalogue (solve_catalog.c).
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <solv/repodata.h>
#include <solv/knownid.h>

#include "solve_internal.h"
#include "solve_catalog.h"

#define TAR_BLOCK	512
#define ENTRY_MAX	(16u << 20)	/* largest desc/depends file accepted */
#define PAX_MAX		(1u << 20)	/* largest pax/longname header accepted */

/* Reader state for one database. */
struct syncdb {
	Repo		*repo;
	Repodata	*data;
	FILE		*fp;		/* decompressed tar stream */
	char		 zerr[160];	/* the decompressor's reason */
	const char	*label;		/* file name for messages */
	char		*err;
	size_t		 errsz;
	uint64_t	 off;		/* tar bytes consumed */
	Id		 optkey;	/* SOLVE_KEY_OPTDEPENDS */
	Id		 orderkey;	/* SOLVE_KEY_DEPORDER */
	/* directory name -> solvable, open addressing */
	char		**keys;
	Id		*vals;
	size_t		 nkeys, cap;
};

static void
db_err(struct syncdb *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
db_err(struct syncdb *db, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(db->err, db->errsz, "%s: ", db->label);
	if (n < 0 || (size_t)n >= db->errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(db->err + n, db->errsz - n, fmt, ap);
	va_end(ap);
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/*
 * Find the solvable for package directory DIR, creating it when it is new.
 * Returns its Id, or 0 on OOM (message set).  The table owns its key copies.
 */
static Id
db_entry(struct syncdb *db, const char *dir)
{
	size_t	 i, j, ncap;
	char	**nkeys = NULL;
	Id	*nvals = NULL, p = 0;

	if (db->nkeys * 2 >= db->cap) {
		ncap = db->cap ? db->cap * 2 : 1024;
		nkeys = calloc(ncap, sizeof(*nkeys));
		nvals = calloc(ncap, sizeof(*nvals));
		if (nkeys == NULL || nvals == NULL) {
			db_err(db, "out of memory");
			goto out;
		}
		for (i = 0; i < db->cap; i++) {
			if (db->keys[i] == NULL)
				continue;
			j = hash_str(db->keys[i]) & (ncap - 1);
			while (nkeys[j] != NULL)
				j = (j + 1) & (ncap - 1);
			nkeys[j] = db->keys[i];
			nvals[j] = db->vals[i];
		}
		free(db->keys);
		free(db->vals);
		db->keys = nkeys;
		db->vals = nvals;
		db->cap = ncap;
		nkeys = NULL;
		nvals = NULL;
	}
	i = hash_str(dir) & (db->cap - 1);
	while (db->keys[i] != NULL) {
		if (strcmp(db->keys[i], dir) == 0) {
			p = db->vals[i];
			goto out;
		}
		i = (i + 1) & (db->cap - 1);
	}
	if ((db->keys[i] = strdup(dir)) == NULL) {
		db_err(db, "out of memory");
		goto out;
	}
	p = repo_add_solvable(db->repo);
	db->vals[i] = p;
	db->nkeys++;
out:
	free(nkeys);
	free(nvals);
	return p;
}

/*
 * Read one 512-byte block.  Returns 1, 0 at a clean end of stream before any
 * byte of the block, or -1 (message set) on a short block or read error.
 */
static int
db_block(struct syncdb *db, unsigned char *blk)
{
	size_t n;

	n = fread(blk, 1, TAR_BLOCK, db->fp);
	if (n == TAR_BLOCK) {
		db->off += n;
		return 1;
	}
	if (ferror(db->fp)) {
		db_err(db, "corrupt or truncated compressed data near tar "
		    "offset %llu (%s)", (unsigned long long)db->off,
		    db->zerr[0] != '\0' ? db->zerr : "read error");
		return -1;
	}
	if (n == 0)
		return 0;
	db_err(db, "truncated: tar stream ends inside a block at offset %llu",
	    (unsigned long long)(db->off + n));
	return -1;
}

/* Parse an octal (or GNU base-256) tar number field; -1 if garbage. */
static int64_t
tar_num(const unsigned char *f, size_t len)
{
	int64_t	 v = 0;
	size_t	 i = 0;

	if (f[0] & 0x80) {
		/* base-256, only positive sizes below 2^56 make sense */
		if (f[0] != 0x80)
			return -1;
		for (i = 1; i < len; i++) {
			if (v > (INT64_MAX >> 8))
				return -1;
			v = (v << 8) | f[i];
		}
		return v;
	}
	while (i < len && f[i] == ' ')
		i++;
	if (i == len || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (INT64_MAX >> 3))
			return -1;
		v = (v << 3) | (f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	return v;
}

/* 1 if the header checksum is right (signed or unsigned sum, as tar allows). */
static int
tar_cksum_ok(const unsigned char *blk)
{
	int64_t	 want;
	long	 usum = 0, ssum = 0;
	size_t	 i;

	if ((want = tar_num(blk + 148, 8)) < 0)
		return 0;
	for (i = 0; i < TAR_BLOCK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : blk[i];

		usum += c;
		ssum += (signed char)c;
	}
	return want == usum || want == ssum;
}

/*
 * Read SIZE bytes of entry data (plus padding) into a new NUL-terminated buffer
 * *RET (caller frees), or skip them when RET is NULL.  0 or -1 (message set).
 */
static int
db_data(struct syncdb *db, uint64_t size, char **ret)
{
	unsigned char	 blk[TAR_BLOCK];
	char		*buf = NULL;
	uint64_t	 done = 0, n;
	int		 rc = -1, r;

	if (ret != NULL) {
		*ret = NULL;
		if ((buf = malloc(size + 1)) == NULL) {
			db_err(db, "out of memory");
			goto out;
		}
	}
	while (done < size) {
		if ((r = db_block(db, blk)) <= 0) {
			if (r == 0)
				db_err(db, "truncated: tar stream ends inside "
				    "an entry at offset %llu",
				    (unsigned long long)db->off);
			goto out;
		}
		n = size - done < TAR_BLOCK ? size - done : TAR_BLOCK;
		if (buf != NULL)
			memcpy(buf + done, blk, n);
		done += n;
	}
	if (buf != NULL) {
		buf[size] = '\0';
		*ret = buf;
		buf = NULL;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Find "path=" in a pax extended header; returns a new string or NULL. */
static char *
pax_path(const char *buf, size_t len)
{
	size_t	 i = 0, reclen, k;
	char	*end;

	while (i < len) {
		errno = 0;
		reclen = strtoul(buf + i, &end, 10);
		if (errno != 0 || end == buf + i || *end != ' ' ||
		    reclen == 0 || reclen > len - i)
			return NULL;
		k = (size_t)(end - (buf + i)) + 1;
		if (reclen > k + 5 && strncmp(end + 1, "path=", 5) == 0 &&
		    buf[i + reclen - 1] == '\n')
			return strndup(end + 6, reclen - k - 6);
		i += reclen;
	}
	return NULL;
}

/* 1 if C may appear in a package name (pacman: alnum and @._+-). */
static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '@' || c == '.' || c == '_' ||
	    c == '+' || c == '-';
}

/* 1 if S is a valid package name. */
static int
valid_name(const char *s)
{
	if (*s == '\0' || *s == '-' || *s == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (!name_char((unsigned char)*s))
			return 0;
	return 1;
}

/* 1 if S is a plausible version: printable, no blanks, not empty. */
static int
valid_version(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '<' ||
		    *s == '>' || *s == '=')
			return 0;
	return 1;
}

/*
 * Turn one dependency line ("foo", "foo>=1.2", "foo: why") into a pool Id.
 * Returns 0 when the line is garbage.
 */
static Id
parse_dep(Pool *pool, char *line)
{
	char	*op, *colon, *ver;
	int	 flags = 0;
	Id	 name;

	/* optdepends-style descriptions, accepted everywhere like pacman */
	if ((colon = strstr(line, ": ")) != NULL)
		*colon = '\0';
	op = line + strcspn(line, "<>=");
	if (op == line)
		return 0;
	for (char *c = line; c < op; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return 0;
	name = pool_strn2id(pool, line, (unsigned)(op - line), 1);
	if (*op == '\0')
		return name;
	ver = op;
	if (strncmp(op, ">=", 2) == 0) {
		flags = REL_GT | REL_EQ;
		ver += 2;
	} else if (strncmp(op, "<=", 2) == 0) {
		flags = REL_LT | REL_EQ;
		ver += 2;
	} else if (*op == '>') {
		flags = REL_GT;
		ver++;
	} else if (*op == '<') {
		flags = REL_LT;
		ver++;
	} else {
		flags = REL_EQ;
		ver++;
	}
	/* real databases hold "gconf>": pacman compares against an empty
	 * version then (any version is > ""), and so do we */
	if (*ver != '\0' && !valid_version(ver))
		return 0;
	return pool_rel2id(pool, name, *ver == '\0' ? ID_EMPTY :
	    pool_str2id(pool, ver, 1), flags, 1);
}

/* Parse a decimal size field; -1 if garbage. */
static long long
parse_size(const char *s)
{
	long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (LLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * Apply the %SECTION% blocks of one desc or depends file (BUF, modified in
 * place) to solvable P.  0 or -1 (message names PATH and the field).
 */
static int
db_parse_desc(struct syncdb *db, Id p, const char *path, char *buf)
{
	Pool		*pool = db->repo->pool;
	Solvable	*s = pool_id2solvable(pool, p);
	char		*line, *next, *sect = NULL;
	size_t		 l;
	long long	 num;
	Id		 id;

	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		l = strlen(line);
		while (l > 0 && (line[l - 1] == '\r' || line[l - 1] == ' ' ||
		    line[l - 1] == '\t'))
			line[--l] = '\0';
		if (l == 0) {
			sect = NULL;
			continue;
		}
		if (sect == NULL) {
			if (l < 3 || line[0] != '%' || line[l - 1] != '%') {
				db_err(db, "entry '%s': expected a %%FIELD%% "
				    "line, got '%.40s'", path, line);
				return -1;
			}
			sect = line;
			continue;
		}
		/* a value line of section SECT */
		if (strcmp(sect, "%NAME%") == 0) {
			if (!valid_name(line) || (s->name != 0 &&
			    strcmp(pool_id2str(pool, s->name), line) != 0)) {
				db_err(db, "entry '%s': bad %%NAME%% '%.40s'",
				    path, line);
				return -1;
			}
			s->name = pool_str2id(pool, line, 1);
		} else if (strcmp(sect, "%VERSION%") == 0) {
			if (!valid_version(line) || (s->evr != 0 &&
			    strcmp(pool_id2str(pool, s->evr), line) != 0)) {
				db_err(db, "entry '%s': bad %%VERSION%% "
				    "'%.40s'", path, line);
				return -1;
			}
			s->evr = pool_str2id(pool, line, 1);
		} else if (strcmp(sect, "%ARCH%") == 0) {
			if (!valid_version(line)) {
				db_err(db, "entry '%s': bad %%ARCH%% '%.40s'",
				    path, line);
				return -1;
			}
			s->arch = pool_str2id(pool, line, 1);
		} else if (strcmp(sect, "%CSIZE%") == 0 ||
		    strcmp(sect, "%ISIZE%") == 0) {
			if ((num = parse_size(line)) < 0) {
				db_err(db, "entry '%s': bad %s '%.40s'",
				    path, sect, line);
				return -1;
			}
			repodata_set_num(db->data, p, sect[1] == 'C' ?
			    SOLVABLE_DOWNLOADSIZE : SOLVABLE_INSTALLSIZE,
			    (unsigned long long)num);
		} else if (strcmp(sect, "%GROUPS%") == 0) {
			repodata_add_poolstr_array(db->data, p,
			    SOLVABLE_GROUP, line);
		} else if (strcmp(sect, "%LICENSE%") == 0) {
			repodata_add_poolstr_array(db->data, p,
			    SOLVABLE_LICENSE, line);
		} else if (strcmp(sect, "%OPTDEPENDS%") == 0) {
			repodata_add_poolstr_array(db->data, p, db->optkey,
			    line);
		} else if (strcmp(sect, "%DESC%") == 0) {
			repodata_set_str(db->data, p, SOLVABLE_SUMMARY, line);
		} else if (strcmp(sect, "%URL%") == 0) {
			repodata_set_str(db->data, p, SOLVABLE_URL, line);
		} else if (strcmp(sect, "%PACKAGER%") == 0) {
			repodata_set_poolstr(db->data, p, SOLVABLE_PACKAGER,
			    line);
		} else if (strcmp(sect, "%BUILDDATE%") == 0) {
			/* informational only: garbage is dropped, not fatal */
			if ((num = parse_size(line)) >= 0)
				repodata_set_num(db->data, p,
				    SOLVABLE_BUILDTIME,
				    (unsigned long long)num);
		} else if (strcmp(sect, "%SHA256SUM%") == 0) {
			if (strlen(line) == 64 && strspn(line,
			    "0123456789abcdefABCDEF") == 64)
				repodata_set_checksum(db->data, p,
				    SOLVABLE_CHECKSUM, REPOKEY_TYPE_SHA256,
				    line);
		} else if (strcmp(sect, "%DEPENDS%") == 0 ||
		    strcmp(sect, "%CONFLICTS%") == 0 ||
		    strcmp(sect, "%PROVIDES%") == 0 ||
		    strcmp(sect, "%REPLACES%") == 0) {
			if ((id = parse_dep(pool, line)) == 0) {
				db_err(db, "entry '%s': bad %s line '%.40s'",
				    path, sect, line);
				return -1;
			}
			if (sect[1] == 'D')
				s->requires = repo_addid_dep(db->repo,
				    s->requires, id, 0);
			else if (sect[1] == 'C')
				s->conflicts = repo_addid_dep(db->repo,
				    s->conflicts, id, 0);
			else if (sect[1] == 'P')
				s->provides = repo_addid_dep(db->repo,
				    s->provides, id, 0);
			else
				s->obsoletes = repo_addid_dep(db->repo,
				    s->obsoletes, id, 0);
		}
		/* other sections (%FILENAME%, %PGPSIG%, ...) are not kept */
	}
	return 0;
}

/*
 * Remember the order of P's %DEPENDS% (repo_write sorts dependency arrays, and
 * pacman's choices depend on that order) as one string, the dependencies
 * separated by newlines.  0 or -1 on OOM.
 */
static int
record_order(struct syncdb *db, Id p)
{
	Pool		*pool = db->repo->pool;
	Solvable	*s = pool_id2solvable(pool, p);
	char		*buf = NULL, one[1024];
	size_t		 len = 0;
	FILE		*fp;
	Id		*dp;

	if (!s->requires || !s->repo->idarraydata[s->requires + 1])
		return 0;	/* fewer than two: nothing to keep */
	if ((fp = open_memstream(&buf, &len)) == NULL) {
		db_err(db, "out of memory");
		return -1;
	}
	for (dp = s->repo->idarraydata + s->requires; *dp; dp++)
		fprintf(fp, "%s\n", solve_dep2str(pool, *dp, one, sizeof(one)));
	if (fclose(fp) != 0) {
		free(buf);
		db_err(db, "out of memory");
		return -1;
	}
	repodata_set_str(db->data, p, db->orderkey, buf);
	free(buf);
	return 0;
}

/*
 * Put the %DEPENDS% of every package of REPO back in database order after a
 * .solv cache load (see record_order).  Packages whose recorded order does not
 * match their dependencies are left alone.
 */
void
solve_syncdb_restore_order(Repo *repo)
{
	Pool		*pool = repo->pool;
	Solvable	*s;
	Queue		 q;
	Id		 p, key, *dp, id;
	const char	*str;
	char		*copy, *line, *save = NULL;
	int		 i, n;

	if ((key = pool_str2id(pool, SOLVE_KEY_DEPORDER, 0)) == 0)
		return;
	queue_init(&q);
	FOR_REPO_SOLVABLES(repo, p, s) {
		if (!s->requires || (str = solvable_lookup_str(s, key)) == NULL)
			continue;
		if ((copy = strdup(str)) == NULL)
			break;
		queue_empty(&q);
		for (line = strtok_r(copy, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			if ((id = parse_dep(pool, line)) != 0)
				queue_push(&q, id);
		free(copy);
		for (n = 0, dp = repo->idarraydata + s->requires; *dp; dp++)
			n++;
		if (n != q.count)
			continue;
		for (i = 0; i < q.count; i++) {
			for (dp = repo->idarraydata + s->requires; *dp; dp++)
				if (*dp == q.elements[i])
					break;
			if (*dp == 0)
				break;
		}
		if (i != q.count)
			continue;
		memcpy(repo->idarraydata + s->requires, q.elements,
		    q.count * sizeof(Id));
	}
	queue_free(&q);
}

/*
 * Check every package read and add its self-provides.  0 or -1 (message set):
 * an entry without %NAME% or %VERSION%, a name/version that does not match
 * its directory, or a name seen twice in this database.
 */
static int
db_finish(struct syncdb *db)
{
	Pool		*pool = db->repo->pool;
	Solvable	*s;
	Map		 seen;
	size_t		 i;
	int		 rc = -1;
	char		 want[2 * SOLVE_ERRMAX];

	map_init(&seen, pool->ss.nstrings);
	for (i = 0; i < db->cap; i++) {
		if (db->keys[i] == NULL)
			continue;
		s = pool_id2solvable(pool, db->vals[i]);
		if (s->name == 0 || s->evr == 0) {
			db_err(db, "entry '%s': missing %s", db->keys[i],
			    s->name == 0 ? "%NAME%" : "%VERSION%");
			goto out;
		}
		snprintf(want, sizeof(want), "%s-%s", pool_id2str(pool,
		    s->name), pool_id2str(pool, s->evr));
		if (strcmp(want, db->keys[i]) != 0) {
			db_err(db, "entry '%s': %%NAME%%-%%VERSION%% is '%s'",
			    db->keys[i], want);
			goto out;
		}
		if (MAPTST(&seen, s->name)) {
			db_err(db, "package '%s' appears twice",
			    pool_id2str(pool, s->name));
			goto out;
		}
		MAPSET(&seen, s->name);
		if (record_order(db, db->vals[i]) < 0)
			goto out;
		if (s->arch == 0)
			s->arch = ARCH_ANY;
		s->provides = repo_addid_dep(db->repo, s->provides,
		    pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
	}
	rc = 0;
out:
	map_free(&seen);
	return rc;
}

/*
 * Read the stream to its end after the end-of-archive block, so that the
 * decompressor reaches its trailer and checks it (gzip's CRC and length, xz's
 * and zstd's checksums): a database whose last bytes are cut or altered then
 * fails instead of loading.  0 or -1 (message set).
 */
static int
db_drain(struct syncdb *db)
{
	unsigned char	buf[4096];

	while (fread(buf, 1, sizeof(buf), db->fp) > 0)
		;
	if (ferror(db->fp)) {
		db_err(db, "corrupt or truncated compressed data after the "
		    "end of the archive (%s)", db->zerr[0] != '\0' ? db->zerr :
		    "read error");
		return -1;
	}
	return 0;
}

/*
 * Walk the tar stream: headers, pax/GNU long names, desc/depends entries.
 * 0 or -1 (message set).
 */
static int
db_walk(struct syncdb *db)
{
	unsigned char	 blk[TAR_BLOCK];
	char		 name[256 + 1 + 155 + 1];
	char		*longname = NULL, *body = NULL, *path, *slash;
	int64_t		 size;
	int		 r, rc = -1, nentries = 0;
	Id		 p;

	for (;;) {
		if ((r = db_block(db, blk)) < 0)
			goto out;
		if (r == 0) {
			db_err(db, nentries == 0 ? "empty file, not a sync "
			    "database" : "truncated: no end-of-archive marker");
			goto out;
		}
		if (blk[0] == '\0') {
			/* end of archive; tolerate a missing second block */
			if (db_drain(db) < 0)
				goto out;
			break;
		}
		if (!tar_cksum_ok(blk)) {
			db_err(db, nentries == 0 ? "not a tar archive" :
			    "corrupt tar header at offset %llu",
			    (unsigned long long)(db->off - TAR_BLOCK));
			goto out;
		}
		nentries++;
		if ((size = tar_num(blk + 124, 12)) < 0) {
			db_err(db, "corrupt tar size at offset %llu",
			    (unsigned long long)(db->off - TAR_BLOCK));
			goto out;
		}
		switch (blk[156]) {
		case 'x':
		case 'L':
			if ((uint64_t)size > PAX_MAX) {
				db_err(db, "oversized tar extension header");
				goto out;
			}
			if (db_data(db, (uint64_t)size, &body) < 0)
				goto out;
			free(longname);
			longname = blk[156] == 'L' ? strndup(body, size) :
			    pax_path(body, (size_t)size);
			free(body);
			body = NULL;
			continue;
		case '0':
		case '\0':
			break;
		default:
			/* directories, links, global headers: no payload we use */
			if (db_data(db, blk[156] == '5' ? 0 : (uint64_t)size,
			    NULL) < 0)
				goto out;
			free(longname);
			longname = NULL;
			continue;
		}
		if (longname != NULL) {
			snprintf(name, sizeof(name), "%s", longname);
			free(longname);
			longname = NULL;
		} else if (memcmp(blk + 257, "ustar", 5) == 0 &&
		    blk[345] != '\0')
			snprintf(name, sizeof(name), "%.155s/%.100s",
			    (char *)blk + 345, (char *)blk);
		else
			snprintf(name, sizeof(name), "%.100s", (char *)blk);
		path = name;
		while (strncmp(path, "./", 2) == 0)
			path += 2;
		slash = strrchr(path, '/');
		if (slash == NULL || slash == path || (strcmp(slash + 1,
		    "desc") != 0 && strcmp(slash + 1, "depends") != 0)) {
			if (db_data(db, (uint64_t)size, NULL) < 0)
				goto out;
			continue;
		}
		if ((uint64_t)size > ENTRY_MAX) {
			db_err(db, "entry '%s' is oversized", path);
			goto out;
		}
		if (db_data(db, (uint64_t)size, &body) < 0)
			goto out;
		if (memchr(body, '\0', (size_t)size) != NULL) {
			db_err(db, "entry '%s' contains NUL bytes", path);
			goto out;
		}
		*slash = '\0';
		if (strchr(path, '/') != NULL) {
			db_err(db, "entry '%s/%s' is nested too deep", path,
			    slash + 1);
			goto out;
		}
		if ((p = db_entry(db, path)) == 0)
			goto out;
		*slash = '/';
		if (db_parse_desc(db, p, path, body) < 0)
			goto out;
		free(body);
		body = NULL;
	}
	rc = 0;
out:
	free(longname);
	free(body);
	return rc;
}

/*
 * Read the sync database open on FD (not closed, read from offset 0) into
 * REPO, naming it LABEL in messages.  Returns 0, or -1 with a message in ERR:
 * then REPO may hold a partial set of packages and the caller must free it.
 */
int
solve_syncdb_read(Repo *repo, int fd, const char *label, char *err,
    size_t errsz)
{
	struct syncdb	 db;
	unsigned char	 magic[TAR_BLOCK];
	enum solve_unpack_kind kind;
	ssize_t		 n;
	size_t		 i;
	int		 fd2 = -1, rc = -1;

	memset(&db, 0, sizeof(db));
	db.repo = repo;
	db.label = label;
	db.err = err;
	db.errsz = errsz;
	n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0) {
		db_err(&db, "%s", strerror(errno));
		goto out;
	}
	if ((kind = solve_unpack_sniff(magic, (size_t)n)) ==
	    SOLVE_UNPACK_UNKNOWN) {
		db_err(&db, n == 0 ? "empty file, not a sync database" :
		    "not a sync database (neither a tar archive nor "
		    "gzip/xz/zstd/bzip2 data)");
		goto out;
	}
	if ((fd2 = dup(fd)) < 0 || lseek(fd2, 0, SEEK_SET) < 0) {
		db_err(&db, "%s", strerror(errno));
		goto out;
	}
	db.fp = solve_unpack_open(fd2, kind, db.zerr, sizeof(db.zerr));
	fd2 = -1;	/* now owned by db.fp, or closed */
	if (db.fp == NULL) {
		db_err(&db, "out of memory");
		goto out;
	}
	db.data = repo_add_repodata(repo, 0);
	db.optkey = pool_str2id(repo->pool, SOLVE_KEY_OPTDEPENDS, 1);
	db.orderkey = pool_str2id(repo->pool, SOLVE_KEY_DEPORDER, 1);
	if (db_walk(&db) < 0 || db_finish(&db) < 0)
		goto out;
	repodata_internalize(db.data);
	rc = 0;
out:
	if (db.fp != NULL)
		fclose(db.fp);
	if (fd2 >= 0)
		close(fd2);
	for (i = 0; i < db.cap; i++)
		free(db.keys[i]);
	free(db.keys);
	free(db.vals);
	return rc;
}
