# Reference numbers for tests/matching/test_ai_se.py: R's Matching::Match on MatchIt's lalonde.
#
# Run from the repository root (Debian: apt-get install r-base-core r-cran-matching r-cran-matchit):
#   Rscript tests/reference/matching_ai/make_reference.R
# The propensity score (logit) is rounded to 12 significant digits and written to data.csv, so
# that both programs match on the very same numbers (units with equal covariates tie exactly).
suppressPackageStartupMessages({library(Matching); library(MatchIt)})
out <- "tests/reference/matching_ai"
data("lalonde", package = "MatchIt")
d <- lalonde
d$black <- as.integer(d$race == "black")
d$hispan <- as.integer(d$race == "hispan")
g <- glm(treat ~ age + educ + black + hispan + married + nodegree + re74 + re75,
         data = d, family = binomial("logit"), control = glm.control(epsilon = 1e-14, maxit = 100))
d$ps <- signif(fitted(g), 12)
keep <- c("treat", "age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75", "re78", "ps")
write.csv(d[, keep], file.path(out, "data.csv"), row.names = FALSE)

Z <- as.matrix(d[, c("age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75")])
rows <- list()
for (estimand in c("ATT", "ATE", "ATC")) for (M in c(1, 4)) for (tol in c(0, 1e-5))
  for (bias in c(FALSE, TRUE)) for (vc in c(0, 1, 4)) {
    m <- Match(Y = d$re78, Tr = d$treat, X = d$ps, Z = Z, estimand = estimand, M = M,
               ties = TRUE, distance.tolerance = tol, BiasAdjust = bias, Var.calc = vc)
    rows[[length(rows) + 1]] <- data.frame(
      estimand = estimand, M = M, tolerance = tol, bias_adjust = bias, var_calc = vc,
      est = m$est[1, 1], se = m$se, est_noadj = m$est.noadj, se_standard = m$se.standard,
      n_pairs = length(m$index.treated))
  }
res <- do.call(rbind, rows)
write.csv(format(res, digits = 17), file.path(out, "match.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string, paste("Matching", packageVersion("Matching")),
             paste("MatchIt", packageVersion("MatchIt"))), file.path(out, "versions.txt"))
