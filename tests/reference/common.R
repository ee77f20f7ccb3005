# What the reference scripts share: the JSON writer and how a clients.csv becomes time, event and
# model covariates.  Sourced by survival.R, finegray_predict.R and sensitivity.R.

# numbers with 17 significant digits, NA as null, +-Inf as +-1e999, logicals as true/false
json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    inner <- vapply(x, json, "")
    if (!is.null(names(x))) return(paste0("{", paste(sprintf("\"%s\": %s", names(x), inner), collapse = ", "), "}"))
    return(paste0("[", paste(inner, collapse = ", "), "]"))
  }
  if (is.character(x)) { s <- sprintf("\"%s\"", x); return(if (length(x) == 1) s else paste0("[", paste(s, collapse = ", "), "]")) }
  v <- if (is.logical(x)) ifelse(x, "true", "false") else
    ifelse(is.na(x), "null", ifelse(is.infinite(x), ifelse(x > 0, "1e999", "-1e999"), sprintf("%.17g", as.numeric(x))))
  if (length(x) == 1) v else paste0("[", paste(v, collapse = ", "), "]")
}

# outcome code -> event code (1 employment, 2 activation, 3 retirement, 4 other, 0 censored)
codes <- c(employed_open = 1, employed_subsidised = 1, work_trial = 2, rehabilitative_work = 2,
           retired = 3, education = 4, other_exit = 4, censored = 0)

read_clients <- function(file) {
  cl <- read.csv(file, stringsAsFactors = FALSE)
  list(cl = cl, time = as.numeric(as.Date(cl$exit_date) - as.Date(cl$enrolled)), event = unname(codes[cl$outcome]))
}

# the model covariates of the tests: long-term unemployment, health limitations, education (basic first)
model_covariates <- function(cl) {
  data.frame(long_term_unemployed = as.integer(cl$long_term_unemployed == "true"),
             health_limitations = as.integer(cl$health_limitations == "true"),
             education_level = factor(cl$education_level, levels = c("basic", "tertiary", "unknown", "upper_secondary")))
}

age_groups <- function(age) as.character(cut(age, c(-Inf, 24.5, 49.5, Inf), labels = c("under_25", "25_49", "50_plus")))
