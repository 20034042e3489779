-- Runs once, when the postgres volume is first initialised. One database per service, plus the registry's.
CREATE DATABASE throughline_contract;
CREATE DATABASE throughline_project;
CREATE DATABASE throughline_staffing;
CREATE DATABASE throughline_billing;
CREATE DATABASE throughline_reporting;
CREATE DATABASE throughline_ingress;
CREATE DATABASE apicurio;
