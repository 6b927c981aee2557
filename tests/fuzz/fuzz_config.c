/* fuzz_config.c: libFuzzer harness for lib/base/config.c (INI through libinih):
 * arbitrary bytes as a configuration file; a loaded configuration is then
 * queried (hosts by IP and loghost, networks, domains). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "base/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_config", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    static md_config cfg;
    md_err e = {0, ""};
    int rc = md_config_load(&cfg, path, &e);
    close(fd);
    if (rc != MD_OK) {
        /* every error names the file */
        if (e.code != rc || strncmp(e.msg, path, strlen(path)) != 0)
            abort();
        return 0;
    }
    for (size_t i = 0; i < cfg.nhosts; i++) {
        const md_host *h = md_config_host(&cfg, &cfg.hosts[i].ip);
        if (!h || !md_ip_equal(&h->ip, &cfg.hosts[i].ip) || !md_config_is_ours(&cfg, &h->ip))
            abort();
        md_config_host_by_loghost(&cfg, cfg.hosts[i].name);
        md_config_host_by_loghost(&cfg, cfg.hosts[i].loghosts);
    }
    for (size_t i = 0; i < cfg.ndomains; i++)
        if (cfg.domains[i][0] && !md_config_is_our_domain(&cfg, cfg.domains[i]))
            abort();
    md_config_host_str(&cfg, "141.89.68.1");
    md_config_host_by_loghost(&cfg, "n-mail-2.rz.uni-potsdam.de");
    return 0;
}
