/* Failed-login throttling: after LOGIN_FAILURES_MAX failures within a
 * minute for one username or one client address, further attempts get
 * 429 until the minute has passed. In memory: a restart forgets, which
 * only ever helps a locked-out user. Thread-safe. */
#ifndef CN_LOGIN_THROTTLE_H
#define CN_LOGIN_THROTTLE_H

#include <stdint.h>

#define LOGIN_FAILURES_MAX 10
#define LOGIN_WINDOW_MS 60000

struct login_throttle;

struct login_throttle *login_throttle_new(void);
void login_throttle_free(struct login_throttle *t);

/* Seconds to wait before another attempt by (username, addr) at `now`;
 * 0 when allowed. */
int login_throttle_check(struct login_throttle *t, const char *username, const char *addr,
                         int64_t now);
/* Records a failure of both keys. */
void login_throttle_fail(struct login_throttle *t, const char *username, const char *addr,
                         int64_t now);

#endif
