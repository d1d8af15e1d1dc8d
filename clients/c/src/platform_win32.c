/* The platform interface (platform.h) on Windows: Winsock 2, Win32 threads, the registry. */
#if defined(_WIN32)

#include "platform.h"
#include "text.h"

#include <ws2tcpip.h>
#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _MSC_VER
#pragma comment(lib, "ws2_32.lib")
#pragma comment(lib, "advapi32.lib")
#endif

/* A malloc'd UTF-8 copy of a UTF-16 string, or NULL. */
static char *utf8_copy(const wchar_t *wide) {
    int bytes = WideCharToMultiByte(CP_UTF8, 0, wide, -1, NULL, 0, NULL, NULL);
    char *text = bytes > 0 ? malloc((size_t)bytes) : NULL;
    if (text != NULL && WideCharToMultiByte(CP_UTF8, 0, wide, -1, text, bytes, NULL, NULL) == 0) {
        free(text);
        text = NULL;
    }
    return text;
}

/* A malloc'd UTF-16 copy of a UTF-8 string, or NULL. */
static wchar_t *wide_copy(const char *text) {
    int units = MultiByteToWideChar(CP_UTF8, 0, text, -1, NULL, 0);
    wchar_t *wide = units > 0 ? malloc((size_t)units * sizeof *wide) : NULL;
    if (wide != NULL && MultiByteToWideChar(CP_UTF8, 0, text, -1, wide, units) == 0) {
        free(wide);
        wide = NULL;
    }
    return wide;
}

static INIT_ONCE winsock_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK start_winsock(PINIT_ONCE once, PVOID parameter, PVOID *context) {
    (void)once;
    (void)parameter;
    (void)context;
    WSADATA data;
    return WSAStartup(MAKEWORD(2, 2), &data) == 0;
}

static void system_message(DWORD code, char *why, size_t why_size) {
    char text[256];
    DWORD length = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, text, sizeof text, NULL);
    while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r' || text[length - 1] == '.')) text[--length] = '\0';
    if (length == 0) snprintf(why, why_size, "Winsock error %lu", (unsigned long)code);
    else triad_copy(why, why_size, text);
}

static int wait_socket(SOCKET sock, int for_write, int timeout_ms) {
    fd_set set;
    FD_ZERO(&set);
    FD_SET(sock, &set);
    fd_set errors;
    FD_ZERO(&errors);
    FD_SET(sock, &errors);
    struct timeval wait;
    wait.tv_sec = timeout_ms < 0 ? 0 : timeout_ms / 1000;
    wait.tv_usec = timeout_ms < 0 ? 0 : (timeout_ms % 1000) * 1000;
    int ready = select(0, for_write ? NULL : &set, for_write ? &set : NULL, &errors, &wait);
    if (ready == SOCKET_ERROR) return -1;
    return ready > 0 ? 1 : 0;
}

static int connect_address(const struct addrinfo *address, long long deadline, SOCKET *out, DWORD *error_out) {
    SOCKET sock = socket(address->ai_family, address->ai_socktype, address->ai_protocol);
    if (sock == INVALID_SOCKET) {
        *error_out = (DWORD)WSAGetLastError();
        return TRIAD_NET_REFUSED;
    }
    u_long nonblocking = 1;
    ioctlsocket(sock, FIONBIO, &nonblocking);
    if (connect(sock, address->ai_addr, (int)address->ai_addrlen) == SOCKET_ERROR) {
        int error = WSAGetLastError();
        if (error != WSAEWOULDBLOCK) {
            *error_out = (DWORD)error;
            closesocket(sock);
            return TRIAD_NET_REFUSED;
        }
        long long left = deadline - triad_now_ms();
        int ready = wait_socket(sock, 1, left > 0 ? (int)left : 0);
        int socket_error = 0;
        int length = sizeof socket_error;
        getsockopt(sock, SOL_SOCKET, SO_ERROR, (char *)&socket_error, &length);
        if (ready <= 0 || socket_error != 0) {
            *error_out = ready == 0 ? WSAETIMEDOUT : (DWORD)(socket_error != 0 ? socket_error : WSAGetLastError());
            closesocket(sock);
            return ready == 0 ? TRIAD_NET_TIMEOUT : TRIAD_NET_REFUSED;
        }
    }
    nonblocking = 0;
    ioctlsocket(sock, FIONBIO, &nonblocking);
    BOOL one = TRUE;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    *out = sock;
    return TRIAD_NET_OK;
}

int triad_net_connect(const char *host, int port, int timeout_ms, triad_sock *out, char *why, size_t why_size) {
    InitOnceExecuteOnce(&winsock_once, start_winsock, NULL, NULL);
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    struct addrinfo *found = NULL;
    if (getaddrinfo(host, service, &hints, &found) != 0) {
        char text[200];
        system_message((DWORD)WSAGetLastError(), text, sizeof text);
        snprintf(why, why_size, "cannot resolve host name (%s)", text);
        return TRIAD_NET_NO_HOST;
    }
    long long deadline = triad_now_ms() + timeout_ms;
    int result = TRIAD_NET_REFUSED;
    DWORD last_error = WSAECONNREFUSED;
    for (const struct addrinfo *address = found; address != NULL; address = address->ai_next) {
        SOCKET sock = INVALID_SOCKET;
        result = connect_address(address, deadline, &sock, &last_error);
        if (result == TRIAD_NET_OK) {
            *out = (triad_sock)sock;
            break;
        }
        if (result == TRIAD_NET_TIMEOUT) break;
    }
    freeaddrinfo(found);
    if (result == TRIAD_NET_TIMEOUT) snprintf(why, why_size, "no answer within %d ms", timeout_ms);
    else if (result != TRIAD_NET_OK && last_error == WSAECONNREFUSED) triad_copy(why, why_size, "Connection refused");
    else if (result != TRIAD_NET_OK) system_message(last_error, why, why_size);
    return result;
}

int triad_net_wait_readable(triad_sock sock, int timeout_ms) {
    return wait_socket((SOCKET)sock, 0, timeout_ms);
}

int triad_net_wait_writable(triad_sock sock, int timeout_ms) {
    return wait_socket((SOCKET)sock, 1, timeout_ms);
}

void triad_net_set_nonblocking(triad_sock sock, int on) {
    u_long mode = on ? 1 : 0;
    ioctlsocket((SOCKET)sock, FIONBIO, &mode);
}

int triad_net_send_all(triad_sock sock, const unsigned char *data, size_t size, int timeout_ms) {
    size_t sent = 0;
    while (sent < size) {
        if (wait_socket((SOCKET)sock, 1, timeout_ms) <= 0) return -1;
        size_t chunk = size - sent > 0x10000000u ? 0x10000000u : size - sent;
        int n = send((SOCKET)sock, (const char *)data + sent, (int)chunk, 0);
        if (n == SOCKET_ERROR || n == 0) return -1;
        sent += (size_t)n;
    }
    return 0;
}

long triad_net_recv(triad_sock sock, unsigned char *buffer, size_t size) {
    int n = recv((SOCKET)sock, (char *)buffer, size > 0x10000000u ? 0x10000000 : (int)size, 0);
    return n == SOCKET_ERROR ? -1 : (long)n;
}

void triad_net_close(triad_sock sock) {
    if (sock != TRIAD_NO_SOCKET) closesocket((SOCKET)sock);
}

int triad_net_fd(triad_sock sock) {
    return (int)sock;
}

void triad_sigpipe_hold(triad_sigpipe_guard *guard) { (void)guard; }
void triad_sigpipe_release(triad_sigpipe_guard *guard) { (void)guard; }

long long triad_now_ms(void) {
    return (long long)GetTickCount64();
}

void triad_sleep_ms(int ms) {
    Sleep((DWORD)ms);
}

void triad_mutex_init(triad_mutex *mutex) { InitializeSRWLock(&mutex->lock); }
void triad_mutex_destroy(triad_mutex *mutex) { (void)mutex; }
void triad_mutex_lock(triad_mutex *mutex) { AcquireSRWLockExclusive(&mutex->lock); }
void triad_mutex_unlock(triad_mutex *mutex) { ReleaseSRWLockExclusive(&mutex->lock); }
void triad_cond_init(triad_cond *cond) { InitializeConditionVariable(&cond->cond); }
void triad_cond_destroy(triad_cond *cond) { (void)cond; }
void triad_cond_broadcast(triad_cond *cond) { WakeAllConditionVariable(&cond->cond); }

void triad_cond_wait_ms(triad_cond *cond, triad_mutex *mutex, int timeout_ms) {
    SleepConditionVariableSRW(&cond->cond, &mutex->lock, (DWORD)(timeout_ms < 0 ? 0 : timeout_ms), 0);
}

typedef struct thread_start {
    void (*run)(void *);
    void *argument;
} thread_start;

static unsigned __stdcall thread_main(void *raw) {
    thread_start start = *(thread_start *)raw;
    free(raw);
    start.run(start.argument);
    return 0;
}

int triad_thread_start(triad_thread *thread, void (*run)(void *), void *argument) {
    thread_start *start = malloc(sizeof *start);
    if (start == NULL) return -1;
    start->run = run;
    start->argument = argument;
    unsigned id = 0;
    uintptr_t handle = _beginthreadex(NULL, 0, thread_main, start, 0, &id);
    if (handle == 0) {
        free(start);
        return -1;
    }
    thread->handle = (HANDLE)handle;
    thread->id = (DWORD)id;
    return 0;
}

void triad_thread_join(triad_thread *thread) {
    WaitForSingleObject(thread->handle, INFINITE);
    CloseHandle(thread->handle);
}

int triad_thread_is_current(const triad_thread *thread) { return thread->id == GetCurrentThreadId(); }

/* Windows keeps these as UTF-16; the protocol wants UTF-8. */
static void utf8_of(const wchar_t *wide, char *buffer, size_t size) {
    if (WideCharToMultiByte(CP_UTF8, 0, wide, -1, buffer, (int)size, NULL, NULL) == 0) triad_copy(buffer, size, "unknown");
}

void triad_login_name(char *buffer, size_t size) {
    wchar_t name[257];
    DWORD length = 257;
    if (GetUserNameW(name, &length)) utf8_of(name, buffer, size);
    else triad_copy(buffer, size, "unknown");
}

void triad_host_name(char *buffer, size_t size) {
    wchar_t name[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD length = MAX_COMPUTERNAME_LENGTH + 1;
    if (GetComputerNameW(name, &length)) utf8_of(name, buffer, size);
    else triad_copy(buffer, size, "unknown");
}

void triad_display_name(char *buffer, size_t size) {
    char *display = triad_env_copy("DISPLAY");
    triad_copy(buffer, size, display != NULL ? display : "console");
    free(display);
}

/* The Win32 call, not the C runtime's getenv: it sees the process's Unicode environment in every CRT. */
char *triad_env_copy(const char *name) {
    wchar_t *wide_name = wide_copy(name);
    DWORD length = wide_name != NULL ? GetEnvironmentVariableW(wide_name, NULL, 0) : 0;
    char *value = NULL;
    if (length > 1) { /* 0: unset; 1: empty (just the terminator) */
        wchar_t *wide = malloc((size_t)length * sizeof *wide);
        if (wide != NULL && GetEnvironmentVariableW(wide_name, wide, length) > 0) value = utf8_copy(wide);
        free(wide);
    }
    free(wide_name);
    return value;
}

/* Where FlexLM and IBM's License Key Administrator (LKAD) keep LM_LICENSE_FILE and the vendor
 * variables: values named after them under "Software\FLEXlm License Manager". */
static char *registry_value(HKEY root, REGSAM view, const char *name) {
    wchar_t *wide_name = wide_copy(name);
    HKEY key;
    if (wide_name == NULL || RegOpenKeyExW(root, L"Software\\FLEXlm License Manager", 0, KEY_QUERY_VALUE | view, &key) != ERROR_SUCCESS) {
        free(wide_name);
        return NULL;
    }
    DWORD type = 0;
    DWORD bytes = 0;
    char *value = NULL;
    if (RegQueryValueExW(key, wide_name, NULL, &type, NULL, &bytes) == ERROR_SUCCESS && (type == REG_SZ || type == REG_EXPAND_SZ) && bytes > 0 && bytes < (1u << 20)) {
        wchar_t *wide = calloc((size_t)bytes / sizeof(wchar_t) + 1, sizeof(wchar_t));
        if (wide != NULL && RegQueryValueExW(key, wide_name, NULL, &type, (LPBYTE)wide, &bytes) == ERROR_SUCCESS) value = utf8_copy(wide);
        free(wide);
    }
    RegCloseKey(key);
    free(wide_name);
    if (value != NULL && value[0] == '\0') {
        free(value);
        value = NULL;
    }
    return value;
}

/* The user's value first, then the machine's; each in this process's registry view, then in the
 * 32-bit view, where a 32-bit LKAD on 64-bit Windows writes. */
char *triad_stored_variable(const char *name) {
    static const REGSAM views[] = {0, KEY_WOW64_32KEY};
    HKEY roots[] = {HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE};
    for (size_t r = 0; r < 2; r++) {
        for (size_t v = 0; v < 2; v++) {
            char *value = registry_value(roots[r], views[v], name);
            if (value != NULL) return value;
        }
    }
    return NULL;
}

int triad_path_kind(const char *path) {
    wchar_t *wide = wide_copy(path);
    DWORD attributes = wide != NULL ? GetFileAttributesW(wide) : INVALID_FILE_ATTRIBUTES;
    free(wide);
    if (attributes == INVALID_FILE_ATTRIBUTES) return TRIAD_PATH_MISSING;
    return (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 ? TRIAD_PATH_DIRECTORY : TRIAD_PATH_FILE;
}

char *triad_expand_home(const char *path) {
    if (path[0] != '~' || (path[1] != '\0' && path[1] != '/' && path[1] != '\\')) return triad_strdup(path);
    char *home = triad_env_copy("USERPROFILE");
    if (home == NULL) return triad_strdup(path);
    char *expanded = triad_join(home, path + 1);
    free(home);
    return expanded;
}

int triad_list_license_files(const char *directory, char ***paths) {
    *paths = NULL;
    char *pattern = triad_join(directory, "\\*.lic");
    wchar_t *wide_pattern = pattern != NULL ? wide_copy(pattern) : NULL;
    free(pattern);
    if (wide_pattern == NULL) return -1;
    WIN32_FIND_DATAW entry;
    HANDLE search = FindFirstFileW(wide_pattern, &entry);
    free(wide_pattern);
    if (search == INVALID_HANDLE_VALUE) return triad_path_kind(directory) == TRIAD_PATH_DIRECTORY ? 0 : -1;
    triad_string_list found = {0};
    do {
        char *name = (entry.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0 ? utf8_copy(entry.cFileName) : NULL;
        if (name == NULL || !triad_ends_with_ci(name, ".lic")) {
            free(name);
            continue;
        }
        char *with_slash = triad_join(directory, "\\");
        char *full = with_slash != NULL ? triad_join(with_slash, name) : NULL;
        free(with_slash);
        free(name);
        if (full == NULL || triad_string_list_push(&found, full) != 0) {
            free(full);
            break;
        }
    } while (FindNextFileW(search, &entry));
    FindClose(search);
    triad_string_list_sort(&found);
    *paths = found.items;
    return (int)found.count;
}

FILE *triad_open_for_reading(const char *path) {
    wchar_t *wide = wide_copy(path);
    FILE *file = wide != NULL ? _wfopen(wide, L"rb") : NULL;
    free(wide);
    return file;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int triad_platform_win32_unused;
#endif
