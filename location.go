package tenantry

// LocationService manages a customer's locations and their phone numbers.
// (Being built for issue 3.)
type LocationService interface{}
