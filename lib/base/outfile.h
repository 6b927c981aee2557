/* outfile.h: the files maildossier writes (dossiers, requests) and the
 * directories they go into.
 *
 * A file is written whole or not at all: into a new temporary file beside
 * it, created exclusively (O_EXCL | O_NOFOLLOW) under a fresh random name,
 * synced, then renamed over the final name.  A link planted at the final
 * name or at any temporary name is never followed: rename replaces the link
 * itself, and an exclusive create refuses a name that exists.  Nothing here
 * prints; failures name the path in an md_err.
 */
#ifndef MD_OUTFILE_H
#define MD_OUTFILE_H

#include <stddef.h>
#include "base/err.h"

/* md_outfile_write: write data[0..n) to path whole (see above), mode 0644
 * less the umask.  0, or MD_ERR_IO / MD_ERR_LIMIT with path unchanged and
 * no temporary file left. */
int md_outfile_write(const char *path, const void *data, size_t n, md_err *err);

/* md_outfile_mkdirs: make the directory dir and each missing parent, as
 * mkdir -p (mode 0755 less the umask).  A directory that exists, or a link
 * to one, is fine.  0; MD_ERR_ARG when a component exists and is not a
 * directory, MD_ERR_IO when one cannot be made, MD_ERR_LIMIT when dir is
 * longer than MD_LIMIT_PATH: the message names the component. */
int md_outfile_mkdirs(const char *dir, md_err *err);

/* md_outfile_mkparents: md_outfile_mkdirs of the directories above path's
 * last component (nothing to do when path has no '/'). */
int md_outfile_mkparents(const char *path, md_err *err);

#endif
