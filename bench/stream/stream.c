/* A STREAM-style memory-bandwidth kernel (after McCalpin's STREAM): copy, scale, add
 * and triad over arrays far larger than the caches, plus "update", an in-place
 * read-modify-write of one array (a[i] = s * a[i] + 1), which is the access pattern of
 * the 1928-1929 model's weekly pass (every person read once and written back).
 *
 *   gcc -O3 -march=native -fopenmp bench/stream/stream.c -o stream && OMP_NUM_THREADS=2 ./stream [MiB per array] [repeats]
 *
 * Bytes are counted as STREAM counts them (copy and scale 2 x 8 bytes per element,
 * add and triad 3 x 8, update 2 x 8: reads plus writes, no write-allocate traffic).
 * Prints the best and the median rate of each kernel over the repeats; the first
 * (untimed) pass touches every page. Bench only: not part of the Cargo workspace.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 512;
    int reps = argc > 2 ? atoi(argv[2]) : 10;
    size_t n = mib * 1024 * 1024 / sizeof(double);
    double *a = aligned_alloc(64, n * sizeof(double));
    double *b = aligned_alloc(64, n * sizeof(double));
    double *c = aligned_alloc(64, n * sizeof(double));
    if (!a || !b || !c || reps < 1) {
        fprintf(stderr, "allocation failed or bad arguments\n");
        return 1;
    }
    const double s = 3.0;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        a[i] = 1.0;
        b[i] = 2.0;
        c[i] = 0.0;
    }
    const char *names[5] = {"copy", "scale", "add", "triad", "update"};
    const double bytes[5] = {16.0 * n, 16.0 * n, 24.0 * n, 24.0 * n, 16.0 * n};
    double *times = malloc(sizeof(double) * 5 * reps);
    for (int r = 0; r < reps; r++) {
        double t;
        t = now();
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) c[i] = a[i];
        times[0 * reps + r] = now() - t;
        t = now();
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) b[i] = s * c[i];
        times[1 * reps + r] = now() - t;
        t = now();
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) c[i] = a[i] + b[i];
        times[2 * reps + r] = now() - t;
        t = now();
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        times[3 * reps + r] = now() - t;
        t = now();
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) b[i] = 0.5 * b[i] + 1.0;
        times[4 * reps + r] = now() - t;
    }
    /* Keep the results live. */
    double check = 0.0;
    for (size_t i = 0; i < n; i += 4096) check += a[i] + b[i] + c[i];
    printf("# threads %d, %zu MiB per array (%zu doubles), %d repeats, checksum %g\n", omp_get_max_threads(), mib, n, reps, check);
    printf("%-7s %10s %10s\n", "kernel", "best GB/s", "median GB/s");
    for (int k = 0; k < 5; k++) {
        double *t = times + k * reps;
        qsort(t, reps, sizeof(double), cmp);
        printf("%-7s %10.2f %10.2f\n", names[k], bytes[k] / t[0] / 1e9, bytes[k] / t[reps / 2] / 1e9);
    }
    return 0;
}
