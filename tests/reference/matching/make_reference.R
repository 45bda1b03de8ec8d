# Reference numbers for tests/matching/test_reference.py, made with R's glm() and MatchIt.
#
# Run from the repository root (Debian: apt-get install r-base-core r-cran-matchit):
#   Rscript tests/reference/matching/make_reference.R
# Versions used for the committed CSVs are written to versions.txt.
# Row numbers in the pair files are 0-based row positions of data.csv.
suppressPackageStartupMessages(library(MatchIt))
out <- "tests/reference/matching"

set.seed(20240607)
n <- 600
x1 <- rnorm(n)
x2 <- rnorm(n, 1, 2)
x3 <- runif(n)
b1 <- rbinom(n, 1, 0.4)
eta <- -1.6 + 0.9 * x1 - 0.35 * x2 + 1.2 * x3 + 0.5 * b1
treat <- rbinom(n, 1, plogis(eta))
d <- data.frame(treat, x1, x2, x3, b1)
write.csv(d, file.path(out, "data.csv"), row.names = FALSE)

f <- treat ~ x1 + x2 + x3 + b1
ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
for (link in c("logit", "probit")) {
  g <- glm(f, data = d, family = binomial(link = link), control = ctrl)
  s <- summary(g)$coefficients
  write.csv(data.frame(term = rownames(s), coef = s[, 1], se = s[, 2],
                       loglik = as.numeric(logLik(g)),
                       null_loglik = as.numeric(logLik(update(g, . ~ 1)))),
            file.path(out, paste0("glm_", link, ".csv")), row.names = FALSE)
}

pairs_of <- function(m) {
  mm <- m$match.matrix
  rows <- list()
  for (j in seq_len(ncol(mm))) {
    ok <- !is.na(mm[, j])
    rows[[j]] <- data.frame(treated = as.integer(rownames(mm)[ok]) - 1L,
                            control = as.integer(mm[ok, j]) - 1L, slot = j)
  }
  do.call(rbind, rows)
}

# MatchIt 4.5.1 as packaged by Debian has a nearest-neighbour bug on some platforms
# (kosukeimai/MatchIt#163): with a distance *vector* its fast path returned controls that are not
# the nearest (81 of 164 treated units here). Its general path (used for a distance *matrix* and
# for Mahalanobis) is correct, so the propensity-score cases below pass |p_i - p_j| as a matrix,
# with rows sorted by descending score so that m.order = "data" is MatchIt's "largest" order, and
# calipers converted to score units by hand (caliper x SD of the score).
# tests/matching/test_reference.py re-checks every pair against a brute-force search.
ps <- fitted(glm(f, data = d, family = binomial("logit"), control = ctrl))
sd_ps <- sd(ps)
ord <- order(-ps, seq_len(n))
ds <- d[ord, ]
pss <- ps[ord]
dmat <- abs(outer(pss[ds$treat == 1], pss[ds$treat == 0], "-"))
cases <- list(
  nn_noreplace_largest = list(data = ds, distance = dmat, replace = FALSE, m.order = "data"),
  nn_noreplace_smallest = list(data = ds[rev(seq_len(n)), ], replace = FALSE, m.order = "data",
                               distance = dmat[rev(seq_len(nrow(dmat))), rev(seq_len(ncol(dmat)))]),
  nn_noreplace_caliper = list(data = ds, distance = dmat, replace = FALSE, m.order = "data",
                              caliper = 0.1 * sd_ps, std.caliper = FALSE),
  nn_noreplace_ratio2 = list(data = ds, distance = dmat, replace = FALSE, m.order = "data",
                             ratio = 2),
  nn_replace = list(data = ds, distance = dmat, replace = TRUE),
  nn_replace_ratio3_caliper = list(data = ds, distance = dmat, replace = TRUE, ratio = 3,
                                   caliper = 0.05 * sd_ps, std.caliper = FALSE),
  mahal_replace = list(data = d, replace = TRUE, distance = "mahalanobis")
)
smd <- list()
for (name in names(cases)) {
  args <- c(list(formula = f, method = "nearest"), cases[[name]])
  m <- do.call(matchit, args)
  write.csv(pairs_of(m), file.path(out, paste0("pairs_", name, ".csv")), row.names = FALSE)
  w <- m$weights[order(as.integer(names(m$weights)))]
  write.csv(data.frame(row = seq_len(n) - 1L, weight = unname(w), pscore = ps),
            file.path(out, paste0("weights_", name, ".csv")), row.names = FALSE)
  s <- summary(m, standardize = TRUE)
  for (which in c("all", "matched")) {
    tab <- if (which == "all") s$sum.all else s$sum.matched
    smd[[length(smd) + 1]] <- data.frame(case = name, sample = which, covariate = rownames(tab),
                                         mean_treated = tab[, "Means Treated"],
                                         mean_control = tab[, "Means Control"],
                                         smd = tab[, "Std. Mean Diff."])
  }
}
write.csv(do.call(rbind, smd), file.path(out, "smd.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("MatchIt", packageVersion("MatchIt"))),
           file.path(out, "versions.txt"))
