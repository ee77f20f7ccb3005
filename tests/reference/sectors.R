# Reference values for tests/test_sectors.py, computed with base R and pwr.
# Run: Rscript tests/reference/sectors.R > tests/reference/sectors.json
# (R 4.2.2, stats, pwr 1.3; Debian packages r-base-core r-cran-pwr)
suppressMessages(library(pwr))
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

# pwr.2p2n.test solves for h with uniroot's default tolerance (about 1e-4); solve pwr's own power
# function to 1e-14 instead, for a 1e-6 comparison.
solve_h <- function(n1, n2, sig.level, power)
  list(h = uniroot(function(h) pwr.2p2n.test(h = h, n1 = n1, n2 = n2, sig.level = sig.level)$power - power,
                   c(1e-10, 10), tol = 1e-14)$root)
p20 <- solve_h(n1 = 20, n2 = 18, sig.level = 0.05, power = 0.8)
p12 <- solve_h(n1 = 12, n2 = 30, sig.level = 0.1, power = 0.9)

cat("{\n")
cat(sprintf("\"two_by_two\": [%s],\n", paste(out2x2, collapse = ",\n  ")))
cat(sprintf("\"mantel_haenszel\": %s,\n", obj(or = num(unname(mh$estimate)), lower = num(mh$conf.int[1]),
    upper = num(mh$conf.int[2]), p = num(mh$p.value), strata = sum(keep))))
cat(sprintf("\"logistic\": %s,\n", obj(beta = num(co["company", "Estimate"]), se = num(co["company", "Std. Error"]),
    p = num(co["company", "Pr(>|z|)"]), lower = num(exp(ci[1])), upper = num(exp(ci[2])))))
cat(sprintf("\"power\": [%s, %s]\n", obj(n1 = 20, n2 = 18, alpha = 0.05, power = 0.8, h = num(p20$h)),
    obj(n1 = 12, n2 = 30, alpha = 0.1, power = 0.9, h = num(p12$h))))
cat("}\n")
