/* The floor: the least a flow can cost — exactly the protocol's requests, in one process, one
 * libcurl handle (so one connection per host, reused), no parsing beyond pulling the next
 * request's inputs out of the last answer.
 *
 *   cc -O2 -o floor floor.c -lcurl
 *   floor 'GET|URL|Header: v|BODY|field,field' 'POST|URL|...' ...
 *
 * Each argument is one request: METHOD|URL|HEADERS (separated by ^)|BODY|FIELDS. FIELDS are
 * names (letters, digits, _) whose values are taken from the answer ("name":"value" in JSON, <name>value</name> in
 * XML) and substituted for @name@ in later requests. A header "sigv4:REGION:SERVICE" signs the
 * request with AWS SigV4 (libcurl's CURLOPT_AWS_SIGV4) using @AccessKeyId@, @SecretAccessKey@
 * and @SessionToken@. CA bundle: SSL_CERT_FILE, else libcurl's defaults (on Debian the system
 * bundle, parsed for every connection, and /etc/ssl/certs). A first argument --capath=DIR verifies
 * through that hashed directory alone (CAINFO NULL: certificates looked up lazily by subject
 * hash). Exit 1 on any non-2xx answer.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 16
static char *names[MAX_VARS], *values[MAX_VARS];
static int nvars;
static char body[1 << 16];
static size_t body_len;

static size_t collect(char *data, size_t size, size_t n, void *unused) {
  size_t len = size * n;
  if (body_len + len >= sizeof body) return 0;
  memcpy(body + body_len, data, len);
  body_len += len;
  body[body_len] = 0;
  return len;
}

static const char *lookup(const char *name) {
  for (int i = nvars - 1; i >= 0; i--) /* the latest answer's value */
    if (!strcmp(names[i], name)) return values[i];
  return "";
}

/* text with every @name@ replaced by its value (a fresh buffer) */
static char *expand(const char *text) {
  char *out = malloc(strlen(text) + 65536), *o = out; /* room for the substituted values */
  while (*text) {
    const char *end;
    if (*text == '@' && (end = strchr(text + 1, '@')) && end > text + 1 &&
        strspn(text + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == (size_t)(end - text - 1)) {
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)(end - text - 1), text + 1);
      o += sprintf(o, "%s", lookup(name));
      text = end + 1;
    } else {
      *o++ = *text++;
    }
  }
  *o = 0;
  return out;
}

static void extract(const char *name) {
  if (nvars == MAX_VARS) { fprintf(stderr, "floor: too many values\n"); exit(1); }
  char json[80], xml[80];
  snprintf(json, sizeof json, "\"%s\":\"", name);
  snprintf(xml, sizeof xml, "<%s>", name);
  const char *start = strstr(body, json), *end;
  start = start ? start + strlen(json) : (start = strstr(body, xml)) ? start + strlen(xml) : NULL;
  if (!start || !(end = strpbrk(start, "\"<"))) { fprintf(stderr, "floor: no %s in answer\n", name); exit(1); }
  names[nvars] = strdup(name);
  values[nvars++] = strndup(start, end - start);
}

int main(int argc, char **argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL *curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  if (getenv("SSL_CERT_FILE")) curl_easy_setopt(curl, CURLOPT_CAINFO, getenv("SSL_CERT_FILE"));
  int first = 1;
  if (argc > 1 && !strncmp(argv[1], "--capath=", 9)) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, NULL);
    curl_easy_setopt(curl, CURLOPT_CAPATH, argv[1] + 9);
    first = 2;
  }
  for (int i = first; i < argc; i++) {
    char *spec = expand(argv[i]), *fields[5] = {0};
    for (int f = 0; f < 5; f++) fields[f] = strsep(&spec, "|");
    struct curl_slist *headers = NULL;
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, NULL);
    for (char *h = fields[2]; h && *h;) {
      char *line = strsep(&h, "^");
      if (!strncmp(line, "sigv4:", 6)) {
        char aws[128], user[512];
        snprintf(aws, sizeof aws, "aws:amz:%s", line + 6);
        snprintf(user, sizeof user, "%s:%s", lookup("AccessKeyId"), lookup("SecretAccessKey"));
        curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, aws);
        curl_easy_setopt(curl, CURLOPT_USERPWD, user);
        char token[4096];
        snprintf(token, sizeof token, "X-Amz-Security-Token: %s", lookup("SessionToken"));
        headers = curl_slist_append(headers, token);
      } else if (*line) {
        headers = curl_slist_append(headers, line);
      }
    }
    curl_easy_setopt(curl, CURLOPT_URL, fields[1]);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (!strcmp(fields[0], "POST")) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, fields[3] ? fields[3] : "");
    } else {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    body_len = 0;
    body[0] = 0;
    long status = 0;
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK || status / 100 != 2) {
      fprintf(stderr, "floor: %s %s: %s, HTTP %ld: %.300s\n", fields[0], fields[1], curl_easy_strerror(rc), status, body);
      return 1;
    }
    for (char *f = fields[4]; f && *f;) extract(strsep(&f, ","));
  }
  curl_easy_cleanup(curl);
  return 0;
}
