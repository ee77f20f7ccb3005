# Reference values for tests/test_sectors.py, computed with base R.
# Run: Rscript tests/reference/sectors.R > tests/reference/sectors.json
# (R 4.2.2, stats; Debian package r-base-core)
num <- function(x) if (is.null(x) || length(x) == 0 || is.na(x)) "null" else if (is.infinite(x)) (if (x > 0) "\"Infinity\"" else "\"-Infinity\"") else sprintf("%.17g", x)
obj <- function(...) { x <- list(...); paste0("{", paste(sprintf("\"%s\": %s", names(x), unlist(x)), collapse = ", "), "}") }

# fisher.test's own conditional MLE and exact interval, with uniroot's tolerance tightened from
# its default (about 1e-4, which limits fisher.test's printed estimate) to 1e-14: the same method,
# precise enough for a 1e-6 comparison. Code follows stats:::fisher.test (R 4.2.2).
exact_or <- function(x11, m, n, k, conf.level = 0.95) {
  lo <- max(0L, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mnhyper <- function(ncp) { if (ncp == 0) return(lo); if (ncp == Inf) return(hi); sum(support * dnhyper(ncp)) }
  pnhyper <- function(q, ncp, upper.tail = FALSE) {
    if (ncp == 1) return(if (upper.tail) phyper(x11 - 1, m, n, k, lower.tail = FALSE) else phyper(x11, m, n, k))
    if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
    sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q])
  }
  tol <- 1e-14
  mle <- if (x11 == lo) 0 else if (x11 == hi) Inf else {
    mu <- mnhyper(1)
    if (mu > x11) uniroot(function(t) mnhyper(t) - x11, c(0, 1), tol = tol)$root
    else if (mu < x11) 1 / uniroot(function(t) mnhyper(1 / t) - x11, c(.Machine$double.eps, 1), tol = tol)$root
    else 1 }
  alpha <- (1 - conf.level) / 2
  upper <- if (x11 == hi) Inf else {
    p <- pnhyper(x11, 1)
    if (p < alpha) uniroot(function(t) pnhyper(x11, t) - alpha, c(0, 1), tol = tol)$root
    else if (p > alpha) 1 / uniroot(function(t) pnhyper(x11, 1 / t) - alpha, c(.Machine$double.eps, 1), tol = tol)$root
    else 1 }
  lower <- if (x11 == lo) 0 else {
    p <- pnhyper(x11, 1, upper.tail = TRUE)
    if (p > alpha) uniroot(function(t) pnhyper(x11, t, upper.tail = TRUE) - alpha, c(0, 1), tol = tol)$root
    else if (p < alpha) 1 / uniroot(function(t) pnhyper(x11, 1 / t, upper.tail = TRUE) - alpha, c(.Machine$double.eps, 1), tol = tol)$root
    else 1 }
  c(mle, lower, upper)
}

tables <- list(c(13, 20, 6, 18), c(9, 10, 3, 10), c(20, 20, 14, 18), c(0, 7, 5, 16), c(1, 3, 9, 12))
out2x2 <- c()
for (t in tables) {
  k1 <- t[1]; n1 <- t[2]; k2 <- t[3]; n2 <- t[4]
  m <- matrix(c(k1, k2, n1 - k1, n2 - k2), 2)  # rows: sector; columns: continued yes/no
  f <- fisher.test(m)
  e <- exact_or(k1, k1 + k2, n1 - k1 + n2 - k2, n1)
  w1 <- suppressWarnings(prop.test(k1, n1, correct = FALSE))$conf.int
  w2 <- suppressWarnings(prop.test(k2, n2, correct = FALSE))$conf.int
  out2x2 <- c(out2x2, obj(k1 = k1, n1 = n1, k2 = k2, n2 = n2,
    fisher_p = num(f$p.value), or = num(e[1]), or_lower = num(e[2]), or_upper = num(e[3]),
    fisher_or_printed = num(unname(f$estimate)),
    wilson1_lower = num(w1[1]), wilson1_upper = num(w1[2]), wilson2_lower = num(w2[1]), wilson2_upper = num(w2[2])))
}

d <- read.csv("tests/reference/linked_placements.csv")
d$continued <- d$continued == "True"
d$company <- as.integer(d$sector == "company")
d$ltu <- as.integer(d$long_term_unemployed == "True")
d$health <- as.integer(d$health_limitations == "True")
d$age_band <- cut(d$age_at_entry, c(-Inf, 24.5, 49.5, Inf), labels = c("under_25", "25_49", "50_plus"))
stratum <- interaction(d$age_band, d$ltu, d$health, drop = TRUE)
arr <- table(factor(d$company, levels = c(1, 0)), factor(d$continued, levels = c(TRUE, FALSE)), stratum)
keep <- apply(arr, 3, function(s) all(rowSums(s) > 0))
mh <- mantelhaen.test(arr[, , keep], correct = FALSE)
g <- glm(continued ~ company + age_at_entry + ltu + health, family = binomial, data = d)
co <- summary(g)$coefficients
ci <- confint.default(g)["company", ]

# Exact power of Fisher's two-sided test at level alpha (rejecting when fisher.test's p <= alpha):
# every outcome (x1, x2) of two binomials, fisher.test on each table, dbinom weights (Exact is not
# in Debian).  The smallest detectable rate p1 above and below p2: the first point of a 1e-3 grid
# from p2 where the power reaches the target, refined by uniroot to 1e-12 between it and the grid
# point before.
rejects <- function(n1, n2, alpha) {
  r <- matrix(FALSE, n1 + 1, n2 + 1)
  for (x1 in 0:n1) for (x2 in 0:n2)
    r[x1 + 1, x2 + 1] <- fisher.test(matrix(c(x1, x2, n1 - x1, n2 - x2), 2))$p.value <= alpha
  r
}
power_of <- function(r, n1, n2, p1, p2) sum(outer(dbinom(0:n1, n1, p1), dbinom(0:n2, n2, p2)) * r)
detectable <- function(r, n1, n2, p2, target, side) {
  f <- function(p1) power_of(r, n1, n2, p1, p2) - target
  grid <- if (side > 0) c(seq(p2, 1, by = 1e-3), 1) else c(seq(p2, 0, by = -1e-3), 0)
  values <- sapply(grid, f)
  i <- which(values >= 0)[1]
  if (is.na(i)) return(NULL)
  uniroot(f, sort(grid[c(i - 1, i)]), tol = 1e-12)$root
}
fisher_cases <- list(list(n1 = 21, n2 = 17, alpha = 0.05, p2 = 12 / 17, p1 = c(12 / 17 + 0.2807, 0.3, 0.6)),
                     list(n1 = 12, n2 = 30, alpha = 0.1, p2 = 0.3, p1 = c(0.05, 0.7)),
                     list(n1 = 20, n2 = 18, alpha = 0.05, p2 = 6 / 18, p1 = c(0.65, 0.9)))
out_power <- c()
for (case in fisher_cases) {
  r <- with(case, rejects(n1, n2, alpha))
  up <- with(case, detectable(r, n1, n2, p2, 0.8, 1))
  down <- with(case, detectable(r, n1, n2, p2, 0.8, -1))
  powers <- sapply(case$p1, function(p1) power_of(r, case$n1, case$n2, p1, case$p2))
  out_power <- c(out_power, sprintf(paste0("{\"n1\": %d, \"n2\": %d, \"alpha\": %s, \"p2\": %s, \"p1\": [%s], ",
    "\"power\": [%s], \"up_p1\": %s, \"down_p1\": %s, \"rejected_tables\": %d}"), case$n1, case$n2, num(case$alpha),
    num(case$p2), paste(sapply(case$p1, num), collapse = ", "), paste(sapply(powers, num), collapse = ", "),
    num(up), num(down), sum(r)))
}
# the normal approximation used above the exact size limit: power.prop.test(strict = TRUE), equal groups
big <- power.prop.test(n = 1500, p1 = 0.5, p2 = 0.45, sig.level = 0.05, strict = TRUE)$power
# unequal groups, which power.prop.test does not take: its strict formula written out (Fleiss et al.
# 2003, section 4.2: pooled variance under the null, unpooled under the alternative, both tails)
fleiss <- function(n1, n2, p1, p2, alpha) {
  pooled <- (n1 * p1 + n2 * p2) / (n1 + n2); z <- qnorm(1 - alpha / 2)
  null_sd <- sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)); sd <- sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
  pnorm((p1 - p2 - z * null_sd) / sd) + pnorm((p2 - p1 - z * null_sd) / sd)
}
stopifnot(abs(fleiss(1500, 1500, 0.5, 0.45, 0.05) - big) < 1e-12)  # the written-out formula is R's for equal groups
unequal <- fleiss(3000, 1000, 0.30, 0.25, 0.05)

cat("{\n")
cat(sprintf("\"two_by_two\": [%s],\n", paste(out2x2, collapse = ",\n  ")))
cat(sprintf("\"mantel_haenszel\": %s,\n", obj(or = num(unname(mh$estimate)), lower = num(mh$conf.int[1]),
    upper = num(mh$conf.int[2]), p = num(mh$p.value), strata = sum(keep))))
cat(sprintf("\"logistic\": %s,\n", obj(beta = num(co["company", "Estimate"]), se = num(co["company", "Std. Error"]),
    p = num(co["company", "Pr(>|z|)"]), lower = num(exp(ci[1])), upper = num(exp(ci[2])))))
cat(sprintf("\"fisher_power\": [%s],\n", paste(out_power, collapse = ",\n  ")))
cat(sprintf("\"normal_power\": %s,\n", obj(n1 = 1500, n2 = 1500, alpha = 0.05, p1 = 0.5, p2 = 0.45, power = num(big))))
cat(sprintf("\"normal_power_unequal\": %s\n", obj(n1 = 3000, n2 = 1000, alpha = 0.05, p1 = 0.30, p2 = 0.25,
    power = num(unequal))))
cat("}\n")
