module github.com/tenantry/tenantry

go 1.26.8
