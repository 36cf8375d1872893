#ifndef CSECRET_H
#define CSECRET_H

#include <stddef.h>

/*
 * The desktop's Secret Service (GNOME Keyring, KWallet) through libsecret, loaded on first
 * use (dlopen of libsecret-1.so.0) and only after a D-Bus session bus has answered: CI
 * runners and servers have neither, and linking libsecret would pull GLib into every start.
 * Items are stored under the schema "dev.indexkey.Store" with the attributes
 * "service" and "account", and found by those attributes alone (as secret-tool finds
 * them). No libsecret or GLib type crosses into Swift.
 */

/// 1 when a D-Bus session bus accepts a connection at `address` (a D-Bus address such as
/// "unix:path=/run/user/1000/bus" or "unix:abstract=/tmp/dbus-x,guid=…"), else 0.
int csecret_bus_answers(const char *address);

/// Looks the password up. Returns 0 and sets `*password` (free with csecret_free; NULL when
/// there is no such item) on success; otherwise 1 when libsecret cannot be loaded, 2 when the
/// Secret Service refused; `error` then says why (NUL-terminated).
int csecret_lookup(const char *service, const char *account, char **password, char *error, size_t error_size);

/// Stores the password in the default collection under `label`. Returns 0 on success;
/// 1 or 2 as for csecret_lookup.
int csecret_store(const char *label, const char *service, const char *account, const char *password, char *error,
                  size_t error_size);

/// Removes the item, if any. Returns 0 on success; 1 or 2 as for csecret_lookup.
int csecret_clear(const char *service, const char *account, char *error, size_t error_size);

/// Frees (and wipes) a password csecret_lookup returned.
void csecret_free(char *password);

#endif
