/* Janus (libnice) skips loopback interfaces when it gathers ICE candidates, so a Janus on a machine
 * whose only link is 127.0.0.1 (a station used alone, a test, CI) offers no candidate at all.
 * Preloaded into Janus only, this getifaddrs() reports the loopback interface as an ordinary one. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>

int getifaddrs(struct ifaddrs **list)
{
    static int (*real)(struct ifaddrs **);
    if (!real)
        real = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    int done = real(list);
    if (done == 0)
        for (struct ifaddrs *one = *list; one; one = one->ifa_next)
            one->ifa_flags &= ~IFF_LOOPBACK;
    return done;
}
