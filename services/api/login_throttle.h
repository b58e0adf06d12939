/* Failed-login throttling that an attacker cannot flush.
 *
 * Failures are counted per (username, client address) and per client
 * address: after LOGIN_FAILURES_MAX failures within LOGIN_WINDOW_MS for
 * either key, further attempts get 429 until the window has passed. So a
 * guesser at one address is stopped, while the real user at another
 * address still gets in (no one can lock a named user out from afar).
 *
 * The table never evicts a live entry: keys are hashed with a secret key
 * (SipHash, so colliding names cannot be made), probed linearly, and a
 * slot is reused only once its window has passed. When no slot is free
 * within the probe limit, the attempt is refused (fail closed) rather than
 * forgetting anyone's failures.
 *
 * It also bounds the password hashes computed at once (Argon2 is slow on
 * purpose): login_throttle_hash_begin refuses past the limit, so logins
 * never hold every request thread. In memory: a restart forgets, which
 * only ever helps a locked-out user. Thread-safe. */
#ifndef CN_LOGIN_THROTTLE_H
#define CN_LOGIN_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGIN_FAILURES_MAX 10
#define LOGIN_WINDOW_MS    60000
#define LOGIN_SLOTS        65536 /* live keys held at once; sized for many addresses */
#define LOGIN_PROBES       64

struct login_throttle;

/* Owned by the caller; free with login_throttle_free. `max_hashes` >= 1. */
struct login_throttle *login_throttle_new(int max_hashes);
void login_throttle_free(struct login_throttle *t);

/* Seconds to wait before another attempt by (username, addr) at `now`;
 * 0 when allowed. A full table answers LOGIN_WINDOW_MS / 1000. */
int login_throttle_check(struct login_throttle *t, const char *username, const char *addr,
                         int64_t now);
/* Records a failure of both keys at `now`. */
void login_throttle_fail(struct login_throttle *t, const char *username, const char *addr,
                         int64_t now);

/* Takes one of the password-hash places: false when all are in use (answer
 * at once, do not wait). Each true is paired with login_throttle_hash_end. */
bool login_throttle_hash_begin(struct login_throttle *t);
void login_throttle_hash_end(struct login_throttle *t);

#endif
