/* The platform interface (platform.h) on POSIX systems. */
#if !defined(_WIN32)

#include "platform.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifdef MSG_NOSIGNAL
#define TRIAD_SEND_FLAGS MSG_NOSIGNAL
#else
#define TRIAD_SEND_FLAGS 0
#endif

static int poll_one(int fd, short events, int timeout_ms) {
    struct pollfd entry;
    entry.fd = fd;
    entry.events = events;
    entry.revents = 0;
    for (;;) {
        int ready = poll(&entry, 1, timeout_ms < 0 ? 0 : timeout_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return -1;
        return ready > 0 ? 1 : 0;
    }
}

/* One address: non-blocking connect, wait for it, back to blocking. */
static int connect_address(const struct addrinfo *address, long long deadline, int *fd_out, int *error_out) {
    int fd = socket(address->ai_family, address->ai_socktype, address->ai_protocol);
    if (fd < 0) {
        *error_out = errno;
        return TRIAD_NET_REFUSED;
    }
    int flags = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
#ifdef SO_NOSIGPIPE
    int one_nosig = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one_nosig, sizeof one_nosig);
#endif
    int result = connect(fd, address->ai_addr, address->ai_addrlen);
    if (result != 0 && errno != EINPROGRESS) {
        *error_out = errno;
        close(fd);
        return TRIAD_NET_REFUSED;
    }
    if (result != 0) {
        long long left = deadline - triad_now_ms();
        int ready = poll_one(fd, POLLOUT, left > 0 ? (int)left : 0);
        if (ready <= 0) {
            *error_out = ready == 0 ? ETIMEDOUT : errno;
            close(fd);
            return ready == 0 ? TRIAD_NET_TIMEOUT : TRIAD_NET_REFUSED;
        }
        int socket_error = 0;
        socklen_t length = sizeof socket_error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &length);
        if (socket_error != 0) {
            *error_out = socket_error;
            close(fd);
            return TRIAD_NET_REFUSED;
        }
    }
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return TRIAD_NET_OK;
}

int triad_net_connect(const char *host, int port, int timeout_ms, triad_sock *out, char *why, size_t why_size) {
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *found = NULL;
    int resolved = getaddrinfo(host, service, &hints, &found);
    if (resolved != 0) {
        snprintf(why, why_size, "cannot resolve host name (%s)", gai_strerror(resolved));
        return TRIAD_NET_NO_HOST;
    }
    long long deadline = triad_now_ms() + timeout_ms;
    int result = TRIAD_NET_REFUSED;
    int last_error = ECONNREFUSED;
    for (const struct addrinfo *address = found; address != NULL; address = address->ai_next) {
        int fd = -1;
        result = connect_address(address, deadline, &fd, &last_error);
        if (result == TRIAD_NET_OK) {
            *out = (triad_sock)fd;
            break;
        }
        if (result == TRIAD_NET_TIMEOUT) break;
    }
    freeaddrinfo(found);
    if (result == TRIAD_NET_TIMEOUT) snprintf(why, why_size, "no answer within %d ms", timeout_ms);
    else if (result != TRIAD_NET_OK) snprintf(why, why_size, "%s", last_error == ECONNREFUSED ? "Connection refused" : strerror(last_error));
    return result;
}

int triad_net_wait_readable(triad_sock sock, int timeout_ms) {
    return poll_one((int)sock, POLLIN, timeout_ms);
}

int triad_net_wait_writable(triad_sock sock, int timeout_ms) {
    return poll_one((int)sock, POLLOUT, timeout_ms);
}

void triad_net_set_nonblocking(triad_sock sock, int on) {
    int flags = fcntl((int)sock, F_GETFL, 0);
    fcntl((int)sock, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

int triad_net_send_all(triad_sock sock, const unsigned char *data, size_t size, int timeout_ms) {
    size_t sent = 0;
    while (sent < size) {
        if (poll_one((int)sock, POLLOUT, timeout_ms) <= 0) return -1;
        ssize_t n = send((int)sock, data + sent, size - sent, TRIAD_SEND_FLAGS);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        sent += (size_t)n;
    }
    return 0;
}

long triad_net_recv(triad_sock sock, unsigned char *buffer, size_t size) {
    for (;;) {
        ssize_t n = recv((int)sock, buffer, size, 0);
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -1 : (long)n;
    }
}

void triad_net_close(triad_sock sock) {
    if (sock != TRIAD_NO_SOCKET) close((int)sock);
}

int triad_net_fd(triad_sock sock) {
    return (int)sock;
}

void triad_sigpipe_hold(triad_sigpipe_guard *guard) {
    sigset_t pipe_only, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    guard->was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &guard->previous);
}

void triad_sigpipe_release(triad_sigpipe_guard *guard) {
#if !defined(__APPLE__) /* macOS has no sigtimedwait; its sockets carry SO_NOSIGPIPE instead */
    if (!guard->was_pending) {
        sigset_t pipe_only, pending;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        sigemptyset(&pending);
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            struct timespec now = {0, 0};
            sigtimedwait(&pipe_only, NULL, &now);
        }
    }
#endif
    pthread_sigmask(SIG_SETMASK, &guard->previous, NULL);
}

long long triad_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void triad_sleep_ms(int ms) {
    struct timespec pause;
    pause.tv_sec = ms / 1000;
    pause.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
}

void triad_mutex_init(triad_mutex *mutex) { pthread_mutex_init(&mutex->mutex, NULL); }
void triad_mutex_destroy(triad_mutex *mutex) { pthread_mutex_destroy(&mutex->mutex); }
void triad_mutex_lock(triad_mutex *mutex) { pthread_mutex_lock(&mutex->mutex); }
void triad_mutex_unlock(triad_mutex *mutex) { pthread_mutex_unlock(&mutex->mutex); }

void triad_cond_init(triad_cond *cond) {
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
#if !defined(__APPLE__)
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
#endif
    pthread_cond_init(&cond->cond, &attributes);
    pthread_condattr_destroy(&attributes);
}

void triad_cond_destroy(triad_cond *cond) { pthread_cond_destroy(&cond->cond); }
void triad_cond_broadcast(triad_cond *cond) { pthread_cond_broadcast(&cond->cond); }

void triad_cond_wait_ms(triad_cond *cond, triad_mutex *mutex, int timeout_ms) {
    struct timespec until;
#if defined(__APPLE__)
    clock_gettime(CLOCK_REALTIME, &until);
#else
    clock_gettime(CLOCK_MONOTONIC, &until);
#endif
    long long nanoseconds = until.tv_nsec + (long long)(timeout_ms % 1000) * 1000000LL;
    until.tv_sec += timeout_ms / 1000 + (time_t)(nanoseconds / 1000000000LL);
    until.tv_nsec = (long)(nanoseconds % 1000000000LL);
    pthread_cond_timedwait(&cond->cond, &mutex->mutex, &until);
}

typedef struct thread_start {
    void (*run)(void *);
    void *argument;
} thread_start;

static void *thread_main(void *raw) {
    thread_start start = *(thread_start *)raw;
    free(raw);
    start.run(start.argument);
    return NULL;
}

int triad_thread_start(triad_thread *thread, void (*run)(void *), void *argument) {
    thread_start *start = malloc(sizeof *start);
    if (start == NULL) return -1;
    start->run = run;
    start->argument = argument;
    if (pthread_create(&thread->thread, NULL, thread_main, start) != 0) {
        free(start);
        return -1;
    }
    return 0;
}

void triad_thread_join(triad_thread *thread) { pthread_join(thread->thread, NULL); }

int triad_thread_is_current(const triad_thread *thread) { return pthread_equal(thread->thread, pthread_self()) != 0; }

void triad_login_name(char *buffer, size_t size) {
    struct passwd entry;
    struct passwd *found = NULL;
    char scratch[1024];
    if (getpwuid_r(getuid(), &entry, scratch, sizeof scratch, &found) == 0 && found != NULL && found->pw_name[0] != '\0') {
        triad_copy(buffer, size, found->pw_name);
        return;
    }
    const char *user = getenv("USER");
    triad_copy(buffer, size, user != NULL && user[0] != '\0' ? user : "unknown");
}

void triad_host_name(char *buffer, size_t size) {
    char name[256];
    if (gethostname(name, sizeof name) == 0) {
        name[sizeof name - 1] = '\0';
        triad_copy(buffer, size, name[0] != '\0' ? name : "unknown");
    } else {
        triad_copy(buffer, size, "unknown");
    }
}

void triad_display_name(char *buffer, size_t size) {
    const char *display = getenv("DISPLAY");
    triad_copy(buffer, size, display != NULL && display[0] != '\0' ? display : "console");
}

char *triad_env_copy(const char *name) {
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? triad_strdup(value) : NULL;
}

static char *home_folder(void) {
    const char *home = getenv("HOME");
    if (home != NULL && home[0] != '\0') return triad_strdup(home);
    struct passwd entry;
    struct passwd *found = NULL;
    char scratch[1024];
    if (getpwuid_r(getuid(), &entry, scratch, sizeof scratch, &found) == 0 && found != NULL) return triad_strdup(found->pw_dir);
    return NULL;
}

char *triad_stored_variable(const char *name) {
    char *home = home_folder();
    if (home == NULL) return NULL;
    char *path = triad_join(home, "/.flexlmrc");
    free(home);
    if (path == NULL) return NULL;
    char *text = triad_read_file(path, 1 << 20);
    free(path);
    if (text == NULL) return NULL;
    char *value = triad_rc_variable(text, name);
    free(text);
    return value;
}

int triad_path_kind(const char *path) {
    struct stat info;
    if (stat(path, &info) != 0) return TRIAD_PATH_MISSING;
    return S_ISDIR(info.st_mode) ? TRIAD_PATH_DIRECTORY : TRIAD_PATH_FILE;
}

char *triad_expand_home(const char *path) {
    if (path[0] != '~' || (path[1] != '\0' && path[1] != '/')) return triad_strdup(path);
    char *home = home_folder();
    if (home == NULL) return triad_strdup(path);
    char *expanded = triad_join(home, path + 1);
    free(home);
    return expanded;
}

FILE *triad_open_for_reading(const char *path) {
    return fopen(path, "rb");
}

int triad_list_license_files(const char *directory, char ***paths) {
    DIR *folder = opendir(directory);
    if (folder == NULL) return -1;
    triad_string_list found = {0};
    struct dirent *entry;
    while ((entry = readdir(folder)) != NULL) {
        if (!triad_ends_with_ci(entry->d_name, ".lic")) continue;
        char *with_slash = triad_join(directory, "/");
        char *full = with_slash != NULL ? triad_join(with_slash, entry->d_name) : NULL;
        free(with_slash);
        if (full == NULL || triad_string_list_push(&found, full) != 0) {
            free(full);
            break;
        }
    }
    closedir(folder);
    triad_string_list_sort(&found);
    *paths = found.items;
    return (int)found.count;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int triad_platform_posix_unused;
#endif
