# Reference values for Firth's penalised logistic regression (tests/test_sectors.py), with brglm2.
# Run from the repository root:  Rscript tests/reference/firth.R
# Writes tests/reference/firth.json and tests/reference/endometrial.csv.
# R 4.2.2, brglm2 0.9 (Debian: r-cran-brglm2).  type = "AS_mean" is Firth's (1993) adjusted score
# for a logistic model (Kosmidis and Firth 2009); the standard errors are the inverse Fisher
# information at the estimate, as summary() prints them.
suppressMessages(library(brglm2))
num <- function(x) sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
fit <- function(formula, data) {
  f <- glm(formula, family = binomial, data = data, method = "brglmFit", type = "AS_mean",
           control = brglmControl(epsilon = 1e-12, maxit = 500))
  s <- summary(f)$coefficients
  sprintf("{\"names\": [%s], \"coef\": %s, \"se\": %s}", paste0("\"", rownames(s), "\"", collapse = ", "),
          vec(s[, "Estimate"]), vec(s[, "Std. Error"]))
}
# 1. Heinze and Schemper (2002), the endometrial cancer data: NV separates the outcome (every
#    patient with neovasculization has a high grade), so ordinary ML has no finite estimate.
data(endometrial, package = "brglm2")
write.csv(endometrial, "tests/reference/endometrial.csv", row.names = FALSE)
e <- fit(HG ~ NV + PI + EH, endometrial)
# 2. the linked placements of the default dataset (frozen copy), the adjusted comparison's model
d <- read.csv("tests/reference/linked_placements.csv")
d$continued <- as.integer(d$continued == "True")
d$company <- as.integer(d$sector == "company")
d$ltu <- as.integer(d$long_term_unemployed == "True")
d$health <- as.integer(d$health_limitations == "True")
p <- fit(continued ~ company + age_at_entry + ltu + health, d)
cat(sprintf("{\"endometrial\": %s,\n \"placements\": %s}\n", e, p), file = "tests/reference/firth.json")
