package tenantry

// Reasons of user imports. They are appended to AllReasons; a reason's wire
// errorCode depends on its id alone.
const (
	ReasonImportNoHeader       = "import_no_header"       // {field}
	ReasonImportColumnMissing  = "import_column_missing"  // {field} {value}
	ReasonImportColumnRepeated = "import_column_repeated" // {field} {value}
	ReasonImportMalformed      = "import_csv_malformed"   // {field} {detail}: the line
	ReasonImportNoRows         = "import_no_rows"         // {field}
	ReasonImportTooManyRows    = "import_too_many_rows"   // {field} {max}
	ReasonImportRepeated       = "import_value_repeated"  // {field} {value} {detail}: the line
)

func init() {
	AllReasons = append(AllReasons,
		ReasonImportNoHeader, ReasonImportColumnMissing, ReasonImportColumnRepeated, ReasonImportMalformed,
		ReasonImportNoRows, ReasonImportTooManyRows, ReasonImportRepeated,
	)
}
