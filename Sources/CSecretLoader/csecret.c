#include "csecret.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * libsecret's public structures, declared here rather than taken from <libsecret/secret.h>
 * so that building needs no GLib headers. They are part of libsecret's stable ABI
 * (libsecret-1.so.0, unchanged since 0.18).
 */
typedef struct {
  const char *name;
  int type; /* SecretSchemaAttributeType: 0 = string */
} secret_schema_attribute;

typedef struct {
  const char *name;
  int flags; /* SecretSchemaFlags */
  secret_schema_attribute attributes[32];
  int reserved;
  void *reserved1, *reserved2, *reserved3, *reserved4, *reserved5, *reserved6, *reserved7;
} secret_schema;

typedef struct {
  unsigned int domain;
  int code;
  char *message;
} g_error;

/* SECRET_SCHEMA_DONT_MATCH_NAME (2): items match by their attributes alone, so
   `secret-tool lookup service indexkey account store-key` finds the same item. */
static const secret_schema schema = {
    "dev.indexkey.Store", 2, {{"service", 0}, {"account", 0}, {NULL, 0}}, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

/* The functions used, resolved once by load(). The lookups are variadic (attribute pairs,
   NULL-terminated), which is why they are called from C and not from Swift. */
static struct {
  char *(*lookup_sync)(const secret_schema *, void *cancellable, g_error **, ...);
  int (*store_sync)(const secret_schema *, const char *collection, const char *label, const char *password,
                    void *cancellable, g_error **, ...);
  int (*clear_sync)(const secret_schema *, void *cancellable, g_error **, ...);
  void (*password_free)(char *);
  void (*error_free)(g_error *);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char failure[512];

#define RESOLVE(field, symbol)                                                           \
  do {                                                                                   \
    *(void **)(&api.field) = dlsym(library, symbol);                                     \
    if (api.field == NULL) {                                                             \
      snprintf(failure, sizeof failure, "libsecret-1.so.0 does not export %s", symbol); \
      return;                                                                            \
    }                                                                                    \
  } while (0)

static void load(void) {
  void *library = dlopen("libsecret-1.so.0", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *why = dlerror();
    snprintf(failure, sizeof failure, "%s", why ? why : "libsecret-1.so.0 could not be loaded");
    return;
  }
  RESOLVE(lookup_sync, "secret_password_lookup_sync");
  RESOLVE(store_sync, "secret_password_store_sync");
  RESOLVE(clear_sync, "secret_password_clear_sync");
  RESOLVE(password_free, "secret_password_free");
  RESOLVE(error_free, "g_error_free");
  loaded = 1;
}

static int ready(char *error, size_t error_size) {
  pthread_once(&once, load);
  if (!loaded) {
    snprintf(error, error_size, "%s", failure);
    return 0;
  }
  return 1;
}

/* Copies the GError's message into `error` and frees it; returns 2. */
static int refused(g_error *gerror, char *error, size_t error_size) {
  snprintf(error, error_size, "%s", gerror && gerror->message ? gerror->message : "no reason given");
  if (gerror) api.error_free(gerror);
  return 2;
}

int csecret_bus_answers(const char *address) {
  if (address == NULL || strncmp(address, "unix:", 5) != 0) return 0;
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  socklen_t length = 0;
  const char *rest = address + 5;
  int abstract = strncmp(rest, "abstract=", 9) == 0;
  if (!abstract && strncmp(rest, "path=", 5) != 0) return 0;
  const char *path = rest + (abstract ? 9 : 5);
  size_t n = strcspn(path, ",;");
  if (n == 0 || n + 1 >= sizeof sa.sun_path) return 0;
  memcpy(sa.sun_path + (abstract ? 1 : 0), path, n);
  length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (abstract ? 1 : 0));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  int ok = connect(fd, (struct sockaddr *)&sa, length) == 0;
  close(fd);
  return ok;
}

int csecret_lookup(const char *service, const char *account, char **password, char *error, size_t error_size) {
  *password = NULL;
  if (!ready(error, error_size)) return 1;
  g_error *gerror = NULL;
  char *found = api.lookup_sync(&schema, NULL, &gerror, "service", service, "account", account, NULL);
  if (gerror) return refused(gerror, error, error_size);
  *password = found;
  return 0;
}

int csecret_store(const char *label, const char *service, const char *account, const char *password, char *error,
                  size_t error_size) {
  if (!ready(error, error_size)) return 1;
  g_error *gerror = NULL;
  int ok = api.store_sync(&schema, "default", label, password, NULL, &gerror, "service", service, "account", account,
                          NULL);
  if (!ok || gerror) return refused(gerror, error, error_size);
  return 0;
}

int csecret_clear(const char *service, const char *account, char *error, size_t error_size) {
  if (!ready(error, error_size)) return 1;
  g_error *gerror = NULL;
  api.clear_sync(&schema, NULL, &gerror, "service", service, "account", account, NULL);
  if (gerror) return refused(gerror, error, error_size);
  return 0;
}

void csecret_free(char *password) {
  if (password == NULL) return;
  memset(password, 0, strlen(password));
  api.password_free(password);
}
