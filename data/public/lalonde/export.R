# Writes nsw_dw.csv: the Dehejia-Wahba experimental sample of the NSW demonstration as R's
# Matching package ships it (Matching::lalonde; 185 treated, 260 randomised controls).
# Run from the repository root:  Rscript data/public/lalonde/export.R
# R 4.2.2, Matching 4.10-8 (Debian: r-cran-matching).
suppressMessages(library(Matching))
data("lalonde", package = "Matching")
d <- lalonde
out <- data.frame(treat = d$treat, age = d$age, educ = d$educ, black = d$black, hispanic = d$hisp,
                  married = d$married, nodegree = d$nodegr, re74 = d$re74, re75 = d$re75, re78 = d$re78)
write.csv(out, "data/public/lalonde/nsw_dw.csv", row.names = FALSE)
