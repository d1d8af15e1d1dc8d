/*
 * Everything the client needs from the operating system, behind one interface:
 * platform_posix.c (Linux, macOS, BSD) and platform_win32.c (Windows, MSVC or MinGW) implement it.
 * No other file calls a POSIX-only or Win32-only function.
 */
#ifndef TRIAD_PLATFORM_H
#define TRIAD_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <windows.h>
typedef struct triad_mutex { SRWLOCK lock; } triad_mutex;
typedef struct triad_cond { CONDITION_VARIABLE cond; } triad_cond;
typedef struct triad_thread { HANDLE handle; DWORD id; } triad_thread;
typedef struct triad_sigpipe_guard { int unused; } triad_sigpipe_guard;
#define TRIAD_PLATFORM_WINDOWS 1
#else
#include <pthread.h>
#include <signal.h>
typedef struct triad_mutex { pthread_mutex_t mutex; } triad_mutex;
typedef struct triad_cond { pthread_cond_t cond; } triad_cond;
typedef struct triad_thread { pthread_t thread; } triad_thread;
typedef struct triad_sigpipe_guard { sigset_t previous; int was_pending; } triad_sigpipe_guard;
#define TRIAD_PLATFORM_WINDOWS 0
#endif

/* ---- sockets: a connected TCP socket, blocking, with explicit waits for timeouts */
typedef uintptr_t triad_sock;
#define TRIAD_NO_SOCKET ((triad_sock)~(uintptr_t)0)

/* Results of triad_net_connect. */
#define TRIAD_NET_OK 0
#define TRIAD_NET_REFUSED (-1) /* resolved, but nobody listens (or the host is unreachable) */
#define TRIAD_NET_TIMEOUT (-2)
#define TRIAD_NET_NO_HOST (-3) /* the name does not resolve */

/* Resolves host and connects within timeout_ms; on failure `why` says what the system said. */
int triad_net_connect(const char *host, int port, int timeout_ms, triad_sock *out, char *why, size_t why_size);
/* 1: readable (data or end of stream), 0: timeout, -1: error. */
int triad_net_wait_readable(triad_sock sock, int timeout_ms);
/* 1: writable, 0: timeout, -1: error. */
int triad_net_wait_writable(triad_sock sock, int timeout_ms);
/* TLS runs the socket non-blocking, so a stalled record cannot outlast a deadline. */
void triad_net_set_nonblocking(triad_sock sock, int on);
/* Writes everything; 0 on success, -1 on error or when timeout_ms passes without progress. */
int triad_net_send_all(triad_sock sock, const unsigned char *data, size_t size, int timeout_ms);
/* One recv: >0 bytes read, 0 end of stream, -1 error. Call after triad_net_wait_readable. */
long triad_net_recv(triad_sock sock, unsigned char *buffer, size_t size);
void triad_net_close(triad_sock sock);
/* The descriptor for TLS libraries (SSL_set_fd). */
int triad_net_fd(triad_sock sock);
/*
 * A TLS library writes to the socket itself; on UNIX a write to a closed connection raises
 * SIGPIPE, which kills a program that did not ignore it. Hold the guard around such calls: the
 * signal is blocked for the calling thread and a SIGPIPE they raised is discarded.
 */
void triad_sigpipe_hold(triad_sigpipe_guard *guard);
void triad_sigpipe_release(triad_sigpipe_guard *guard);

/* ---- time: a monotonic clock in milliseconds */
long long triad_now_ms(void);
void triad_sleep_ms(int ms);

/* ---- threads */
void triad_mutex_init(triad_mutex *mutex);
void triad_mutex_destroy(triad_mutex *mutex);
void triad_mutex_lock(triad_mutex *mutex);
void triad_mutex_unlock(triad_mutex *mutex);
void triad_cond_init(triad_cond *cond);
void triad_cond_destroy(triad_cond *cond);
void triad_cond_broadcast(triad_cond *cond);
/* Waits at most timeout_ms (spurious wake-ups possible: callers re-check their condition). */
void triad_cond_wait_ms(triad_cond *cond, triad_mutex *mutex, int timeout_ms);
/* 0 on success. */
int triad_thread_start(triad_thread *thread, void (*run)(void *), void *argument);
void triad_thread_join(triad_thread *thread);
/* Is the calling thread this one? */
int triad_thread_is_current(const triad_thread *thread);

/* ---- who and where: each writes a NUL-terminated string, falling back to "unknown" */
void triad_login_name(char *buffer, size_t size);
void triad_host_name(char *buffer, size_t size);
/* $DISPLAY, else "console" (what a FlexLM client reports). */
void triad_display_name(char *buffer, size_t size);

/* ---- settings: the environment, and where FlexLM keeps its variables when they are not set */
/* A copy of the environment variable (malloc'd), or NULL when unset or empty. */
char *triad_env_copy(const char *name);
/*
 * A stored FlexLM variable (malloc'd), or NULL: `NAME=value` in ~/.flexlmrc on UNIX; on Windows
 * the registry value NAME under HKEY_CURRENT_USER, else HKEY_LOCAL_MACHINE,
 * "Software\FLEXlm License Manager" (where FlexLM and IBM's LKAD write it).
 */
char *triad_stored_variable(const char *name);

/* ---- files */
#define TRIAD_PATH_MISSING 0
#define TRIAD_PATH_FILE 1
#define TRIAD_PATH_DIRECTORY 2
int triad_path_kind(const char *path);
/* "~" and "~/x" as the home folder (malloc'd copy; the path itself when it has no "~"). */
char *triad_expand_home(const char *path);
/*
 * The `*.lic` files of a folder (case-insensitive suffix), sorted, as malloc'd full paths in a
 * malloc'd array; returns the number found, or -1 when the folder cannot be read.
 */
int triad_list_license_files(const char *directory, char ***paths);
/* fopen(path, "rb") for a UTF-8 path (Windows' fopen reads paths in the ANSI code page). */
FILE *triad_open_for_reading(const char *path);

#endif
