/* standalone.c: a main() for libFuzzer harnesses when libFuzzer is not used.
 * Replays every regular file below the directories (or files) given on the
 * command line through LLVMFuzzerTestOneInput, so the harnesses are compiled
 * and exercised (under ASan/UBSan in CI) even without clang.  Files larger
 * than 4 MiB are replayed as their first 4 MiB. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

static void replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    size_t cap = 4u << 20;
    uint8_t *buf = malloc(cap);
    if (buf) {
        size_t n = fread(buf, 1, cap, fp);
        LLVMFuzzerTestOneInput(buf, n);
        replayed++;
        free(buf);
    }
    fclose(fp);
}

static void replay(const char *path, int depth)
{
    struct stat st;
    if (depth > 8 || stat(path, &st) != 0)
        return;
    if (S_ISREG(st.st_mode)) {
        replay_file(path);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char sub[4096];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) >= sizeof sub)
            continue;
        replay(sub, depth + 1);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        replay(argv[i], 0);
    /* The empty input and a few degenerate ones, always. */
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    LLVMFuzzerTestOneInput((const uint8_t *)"\n\n\0\r", 4);
    printf("replayed %lu inputs\n", replayed);
    return 0;
}
