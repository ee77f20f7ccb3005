# Reference values for the sensitivity analyses of notebook 02 (tests/test_survival.py):
# cmprsk::cuminc under each outcome definition (with the two bounds for moving and dropping out)
# and in each calendar cohort, at 365 days.
# Run from the repository root:  Rscript tests/reference/sensitivity.R
# Writes tests/reference/sensitivity.json.  R 4.2.2, cmprsk 2.2-11.
suppressMessages(library(cmprsk))
source("tests/reference/common.R")
num <- function(x) if (is.na(x)) "null" else sprintf("%.17g", x)

d <- read_clients("tests/reference/dataset/clients.csv")
cl <- d$cl
time <- d$time
employed <- c("employed_open", "employed_subsidised")
# name -> outcomes of interest, outcomes censored (every other exit competes)
definitions <- list(
  "primary: employment, open or subsidised" = list(employed, character(0)),
  "education counted as a good outcome" = list(c(employed, "education"), character(0)),
  "moving and dropping out as censoring" = list(employed, "other_exit"),
  # the bounds: moving and dropping out recoded to the two extremes (never employed: a competing
  # exit, as in the primary definition; employed on the day of exit)
  "lower bound: moving and dropping out as never employed" = list(employed, character(0)),
  "upper bound: moving and dropping out as employment at exit" = list(c(employed, "other_exit"), character(0)),
  "open-market employment only" = list("employed_open", character(0)),
  "subsidised employment only" = list("employed_subsidised", character(0)))
code <- function(outcome, good, censor)
  ifelse(outcome %in% good, 1, ifelse(outcome == "censored" | outcome %in% censor, 0, 2))
at365 <- function(t, e) {
  ci <- cuminc(t, e, cencode = 0)
  tp <- timepoints(ci["1 1"], 365)
  sprintf("{\"cif\": %s, \"variance\": %s}", num(tp$est[1]), num(tp$var[1]))
}
rows <- c()
for (name in names(definitions)) {
  d <- definitions[[name]]
  rows <- c(rows, sprintf("\"%s\": %s", name, at365(time, code(cl$outcome, d[[1]], d[[2]]))))
}
year <- format(as.Date(cl$enrolled), "%Y")
for (y in sort(unique(year))) {
  k <- year == y
  rows <- c(rows, sprintf("\"enrolled in %s\": %s", y, at365(time[k], code(cl$outcome[k], employed, character(0)))))
}
gray <- cuminc(time, code(cl$outcome, employed, character(0)), group = year, cencode = 0)$Tests["1", ]
cat(sprintf("{\"rows\": {%s}, \"cohort_gray\": {\"stat\": %s, \"p\": %s}}\n", paste(rows, collapse = ", "),
            num(gray["stat"]), num(gray["pv"])), file = "tests/reference/sensitivity.json")
